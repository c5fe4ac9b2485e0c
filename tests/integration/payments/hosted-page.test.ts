import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { db, rows } from "../../../db/client.server";
import * as payLink from "~/routes/pay.$linkId._index";
import * as payCheckoutRoute from "~/routes/pay.$linkId.$checkoutId";
import * as tokensRoute from "~/routes/sandbox.v1.tokens";
import * as tokenForms from "~/routes/sandbox.v1.token-forms";
import * as authPage from "~/routes/sandbox.v1.authentication.$authorizationId";
import { TEST_CARDS } from "~/modules/processors/test-cards";
import { configureSandbox } from "~/modules/processors/sandbox/sandbox.server";
import { checkoutSecret, configureCheckout, verifyRedirectSignature } from "~/modules/payment-links/checkout.server";
import { createPaymentLink } from "~/modules/payment-links/links.server";
import { reconcilePending } from "~/modules/payments/reconcile-pending.server";
import { api } from "./api-client";
import { fastSandbox, makeMerchant, type TestMerchant } from "./fixtures";

useTestDatabase({ seed: "none" });
beforeAll(() => fastSandbox());
afterEach(() => {
  configureSandbox({ authTimeoutMs: 10 * 60_000 });
  configureCheckout({ declinesPerIpPerHour: 5 });
});

const ORIGIN = "http://console.test";
/** Every request the console's own routes received (the sandbox's are the provider's, not ours). */
const consoleLog: string[] = [];
let ipCounter = 0;

function req(path: string, init: { method?: string; form?: Record<string, string>; json?: unknown; ip?: string; origin?: string } = {}): Request {
  const headers: Record<string, string> = { "x-mc-client-ip": init.ip ?? "10.9.0.1" };
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["content-type"] = "application/json";
  }
  if (init.origin) headers.origin = init.origin;
  if (!path.startsWith("/sandbox/")) consoleLog.push(`${init.method ?? "GET"} ${path} ${body ?? ""}`);
  return new Request(`${ORIGIN}${path}`, { method: init.method ?? (body !== undefined ? "POST" : "GET"), headers, body });
}

async function call(fn: ((a: never) => unknown) | undefined, request: Request, params: Record<string, string> = {}): Promise<Response> {
  try {
    return (await fn!({ request, params, context: {} } as never)) as Response;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

function location(r: Response): string {
  return r.headers.get("location") ?? "";
}

async function newLink(m: TestMerchant, over: Partial<Parameters<typeof createPaymentLink>[2]> = {}) {
  const r = await createPaymentLink(
    m.scope,
    { terminalId: m.terminalId },
    { amount: 1_250_000n, minAmount: null, maxAmount: null, description: "Coffee beans", customerFields: [], reusable: true, expiresAt: null, redirectUrl: "https://shop.example/thanks", ...over },
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.link;
}

/** The cardholder's journey through the pages, as the browser with JavaScript makes it. */
async function pay(linkId: string, number: string, opts: { cvc?: string; ip?: string; code?: "shown" | string; amount?: string } = {}) {
  const ip = opts.ip ?? `10.8.${++ipCounter}.1`;
  const start = await call(payLink.action as never, req(`/pay/${linkId}`, { form: opts.amount ? { amount: opts.amount } : {}, ip }), { linkId });
  expect(start.status, await start.clone().text()).toBe(303);
  const checkoutPath = location(start);
  const [, , , checkoutId] = checkoutPath.split("/");
  // The browser asks the provider for a token; the console never sees the number.
  const cvc = opts.cvc ?? (number.startsWith("37") ? "7741" : "741");
  const tok = await call(tokensRoute.action as never, req("/sandbox/v1/tokens", { json: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc }, origin: ORIGIN }));
  expect(tok.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  const token = ((await tok.json()) as { id: string }).id;
  const payed = await call(payCheckoutRoute.action as never, req(checkoutPath, { form: { intent: "pay", token }, ip }), { linkId, checkoutId: checkoutId! });
  expect(payed.status).toBe(303);
  let next = location(payed);
  if (next.startsWith("/sandbox/v1/authentication/")) {
    const id = next.split("/")[4]!.split("?")[0]!;
    if (opts.code !== undefined) {
      await call(authPage.action as never, req(`/sandbox/v1/authentication/${id}`, { form: { intent: "request_code" } }), { authorizationId: id });
      for (let i = 0; i < 3; i++) {
        const view = await call(authPage.loader as never, req(`/sandbox/v1/authentication/${id}`), { authorizationId: id });
        if (view.status === 303 || view.status === 302) break;
        const data = (await view.json()) as { view: { sentCode: string | null } };
        const code = opts.code === "shown" ? data.view.sentCode ?? "000000" : opts.code;
        const r = await call(authPage.action as never, req(`/sandbox/v1/authentication/${id}`, { form: { intent: "submit", code } }), { authorizationId: id });
        if (r.status === 303) {
          next = location(r);
          break;
        }
      }
    }
  }
  const page = await call(payCheckoutRoute.loader as never, req(checkoutPath, { ip }), { linkId, checkoutId: checkoutId! });
  const data = page.status === 200 ? ((await page.json()) as Record<string, unknown>) : {};
  return { checkoutPath, checkoutId: checkoutId!, next, data, ip };
}

async function dump(filter: (t: string) => boolean): Promise<string> {
  const names = await rows<{ table_name: string }>(db(), sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  let out = "";
  for (const { table_name } of names.filter((n) => filter(n.table_name))) {
    const r = await rows<{ j: string }>(db(), sql`select row_to_json(t)::text as j from ${sql.identifier(table_name)} t`);
    out += `\n# ${table_name}\n` + r.map((x) => x.j).join("\n");
  }
  return out;
}

describe("the hosted payment page", () => {
  it("an approving Shetab card pays through the dynamic PIN; the receipt, redirect signature and verify agree", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const r = await pay(link.id, "6037990000000006", { code: "shown" });
    expect(r.next).toBe(r.checkoutPath);
    expect(r.data.state).toBe("paid");
    const receipt = r.data.receipt as { paymentId: string; maskedCard: string; traceNumber: string; amount: string };
    expect(receipt.maskedCard).toBe("603799******0006");
    expect(receipt.amount).toBe("1250000");
    expect(receipt.traceNumber).toMatch(/^[0-9]{6}$/);
    const back = new URL(String(r.data.back));
    expect(back.origin + back.pathname).toBe("https://shop.example/thanks");
    const secret = await checkoutSecret(m.merchantId);
    const q = Object.fromEntries(back.searchParams);
    expect(q.payment_id).toBe(receipt.paymentId);
    expect(verifyRedirectSignature(secret, { paymentId: q.payment_id!, status: q.status!, amount: q.amount!, linkId: q.link_id! }, q.signature!)).toBe(true);
    // A tampered amount fails the signature, and verify refuses a different amount.
    expect(verifyRedirectSignature(secret, { paymentId: q.payment_id!, status: q.status!, amount: "1", linkId: q.link_id! }, q.signature!)).toBe(false);
    const v = await api("POST", `/payments/${receipt.paymentId}/verify`, { key: m.apiKey, body: { amount: "1250000" } });
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({ verified: true, status: "captured", amount: "1250000", payment_link_id: link.id });
    const wrong = await api("POST", `/payments/${receipt.paymentId}/verify`, { key: m.apiKey, body: { amount: "125000" } });
    expect(wrong.status).toBe(409);
    expect(wrong.json.error.code).toBe("amount_mismatch");
    // The payment carries the link and counts on the merchant's "Payment links" terminal.
    const [p] = await rows<{ payment_link_id: string; kind: string; status: string }>(
      db(),
      sql`select p.payment_link_id, t.kind::text as kind, p.status::text as status from payments p join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id where p.merchant_id = ${m.merchantId}`,
    );
    expect(p).toEqual({ payment_link_id: link.id, kind: "link", status: "captured" });
  });

  it("authentication failures decline with their reason and take nothing", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const wrong = await pay(link.id, "6037990000001111", { code: "shown" });
    expect(wrong.data.state).toBe("declined");
    expect(wrong.data.reason).toMatch(/رمز دوم پویا/);
    const expired = await pay(link.id, "6037990000002226", { code: "shown" });
    expect(expired.data.state).toBe("declined");
    const [codes] = await rows<{ codes: string }>(db(), sql`select string_agg(decline_code, ',' order by created_at) as codes from payments where merchant_id = ${m.merchantId}`);
    expect(codes!.codes).toBe("authentication_failed,authentication_code_expired");
    // The bank never sends the code: the authentication times out and is declined.
    configureSandbox({ authTimeoutMs: 600 });
    const silent = await pay(link.id, "6037990000003331");
    expect(silent.data.state).toBe("pending");
    await new Promise((res) => setTimeout(res, 700));
    const after = await call(payCheckoutRoute.loader as never, req(silent.checkoutPath, { ip: silent.ip }), { linkId: link.id, checkoutId: silent.checkoutId });
    const d = (await after.json()) as { state: string; receipt: { declineCode: string } };
    expect(d.state).toBe("declined");
    expect(d.receipt.declineCode).toBe("authentication_timeout");
    configureSandbox({ authTimeoutMs: 10 * 60_000 });
    const [sum] = await rows<{ captured: string }>(db(), sql`select count(*) filter (where status = 'captured')::text as captured from payments where merchant_id = ${m.merchantId}`);
    expect(sum!.captured).toBe("0");
  });

  it("foreign cards: frictionless, challenge and failed 3-D Secure", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const link = await newLink(m, { amount: 2500n });
    const frictionless = await pay(link.id, "4242424242424242");
    expect(frictionless.next).toBe(frictionless.checkoutPath);
    expect(frictionless.data.state).toBe("paid");
    const challenge = await pay(link.id, "4000000000003220", { code: "shown" });
    expect(challenge.data.state).toBe("paid");
    const failed = await pay(link.id, "4000008400001629", { code: "shown" });
    expect(failed.data.state).toBe("declined");
    expect((failed.data.receipt as { declineCode: string }).declineCode).toBe("authentication_failed");
  });

  it("a closed tab after paying never charges twice: the payment resolves by inquiry, and a second submit replays", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const ip = "10.7.0.1";
    const start = await call(payLink.action as never, req(`/pay/${link.id}`, { form: {}, ip }), { linkId: link.id });
    const checkoutPath = location(start);
    const checkoutId = checkoutPath.split("/")[3]!;
    const tok = await call(tokensRoute.action as never, req("/sandbox/v1/tokens", { json: { number: "6037990000000006", exp_month: 12, exp_year: 2031, cvc: "741" } }));
    const token = ((await tok.json()) as { id: string }).id;
    const first = await call(payCheckoutRoute.action as never, req(checkoutPath, { form: { intent: "pay", token }, ip }), { linkId: link.id, checkoutId });
    const authUrl = location(first);
    // A double submit lands on the same authentication, not a second payment.
    const again = await call(payCheckoutRoute.action as never, req(checkoutPath, { form: { intent: "pay", token }, ip }), { linkId: link.id, checkoutId });
    expect(location(again)).toBe(authUrl);
    const id = authUrl.split("/")[4]!.split("?")[0]!;
    await call(authPage.action as never, req(`/sandbox/v1/authentication/${id}`, { form: { intent: "request_code" } }), { authorizationId: id });
    const view = (await (await call(authPage.loader as never, req(`/sandbox/v1/authentication/${id}`), { authorizationId: id })).json()) as { view: { sentCode: string } };
    // The cardholder confirms, then the tab closes before it comes back to the console.
    const done = await call(authPage.action as never, req(`/sandbox/v1/authentication/${id}`, { form: { intent: "submit", code: view.view.sentCode } }), { authorizationId: id });
    expect(location(done)).toBe(checkoutPath);
    const [before] = await rows<{ status: string }>(db(), sql`select status::text as status from payments where merchant_id = ${m.merchantId}`);
    expect(before!.status).toBe("pending");
    await reconcilePending({ now: new Date(Date.now() + 60_000) });
    const all = await rows<{ status: string }>(db(), sql`select status::text as status from payments where merchant_id = ${m.merchantId}`);
    expect(all).toEqual([{ status: "captured" }]);
    // Paying the same checkout again shows the receipt; still one payment.
    const third = await call(payCheckoutRoute.action as never, req(checkoutPath, { form: { intent: "pay", token }, ip }), { linkId: link.id, checkoutId });
    expect(location(third)).toBe(checkoutPath);
    const [n] = await rows<{ n: string }>(db(), sql`select count(*)::text as n from payments where merchant_id = ${m.merchantId}`);
    expect(n!.n).toBe("1");
  });

  it("single-use, expired and deactivated links take nothing; a customer-entered amount stays within the link's limits", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const single = await newLink(m, { reusable: false });
    expect((await pay(single.id, "6037990000000006", { code: "shown" })).data.state).toBe("paid");
    const closed = await call(payLink.loader as never, req(`/pay/${single.id}`), { linkId: single.id });
    expect(closed.status).toBe(410);
    expect(((await closed.json()) as { closed: string }).closed).toBe("used");
    const refused = await call(payLink.action as never, req(`/pay/${single.id}`, { form: {} }), { linkId: single.id });
    expect(refused.status).toBe(410);

    const expiring = await newLink(m, { expiresAt: new Date(Date.now() + 60_000) });
    await db().execute(sql`update payment_links set expires_at = now() - interval '1 minute' where id = ${expiring.id}`);
    const exp = await call(payLink.loader as never, req(`/pay/${expiring.id}`), { linkId: expiring.id });
    expect(((await exp.json()) as { closed: string }).closed).toBe("expired");

    const open = await newLink(m, { amount: null, minAmount: 100_000n, maxAmount: 5_000_000n });
    const tooMuch = await call(payLink.action as never, req(`/pay/${open.id}`, { form: { amount: "۶٬۰۰۰٬۰۰۰" } }), { linkId: open.id });
    expect(tooMuch.status).toBe(400);
    expect(((await tooMuch.json()) as { field: string }).field).toBe("amount");
    expect((await pay(open.id, "6037990000000006", { code: "shown", amount: "۲۵۰٬۰۰۰" })).data.state).toBe("paid");
    const [amounts] = await rows<{ a: string }>(db(), sql`select string_agg(amount::text, ',') as a from payments where merchant_id = ${m.merchantId} and payment_link_id = ${open.id}`);
    expect(amounts!.a).toBe("250000");
  });

  it("card testing: more than N declines from one address in an hour blocks it, and the owner sees it", async () => {
    configureCheckout({ declinesPerIpPerHour: 2 });
    const m = await makeMerchant({ currency: "USD" });
    const link = await newLink(m, { amount: 500n });
    const ip = "10.6.6.6";
    for (let i = 0; i < 3; i++) expect((await pay(link.id, "4000000000009995", { ip })).data.state).toBe("declined");
    const blocked = await call(payLink.action as never, req(`/pay/${link.id}`, { form: {}, ip }), { linkId: link.id });
    expect(blocked.status).toBe(429);
    // Another address still pays.
    expect((await pay(link.id, "4242424242424242", { ip: "10.6.6.7" })).data.state).toBe("paid");
    const [b] = await rows<{ client_ip: string; declines: number }>(db(), sql`select client_ip, declines from checkout_blocks where merchant_id = ${m.merchantId}`);
    expect(b).toEqual({ client_ip: ip, declines: 3 });
    const [a] = await rows<{ n: string }>(db(), sql`select count(*)::text as n from audit_events where merchant_id = ${m.merchantId} and action = 'payment_link.card_testing_blocked'`);
    expect(a!.n).toBe("1");
    configureCheckout({ declinesPerIpPerHour: 5 });
  });

  it("without JavaScript the card goes to the provider's form, which sends back only a token", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const start = await call(payLink.action as never, req(`/pay/${link.id}`, { form: {} }), { linkId: link.id });
    const checkoutPath = location(start);
    const r = await call(tokenForms.action as never, req("/sandbox/v1/token-forms", { form: { number: "6037 9900 0000 0006", exp: "12/31", cvc: "741", return_url: checkoutPath } }));
    expect(r.status).toBe(303);
    expect(location(r)).toMatch(new RegExp(`^${checkoutPath}\\?token=tok_[A-Za-z0-9]+$`));
    const evil = await call(tokenForms.action as never, req("/sandbox/v1/token-forms", { form: { number: "6037990000000006", exp: "12/31", cvc: "741", return_url: "https://evil.example/x" } }));
    expect(evil.status).toBe(400);
    const follow = await call(payCheckoutRoute.loader as never, req(location(r)), { linkId: link.id, checkoutId: checkoutPath.split("/")[3]! });
    expect(follow.status).toBe(303);
    expect(location(follow)).toMatch(/^\/sandbox\/v1\/authentication\/auth_/);
  });

  it("after every test card, the console's tables and the requests it received hold no card number and no CVV2", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const cvcs: string[] = [];
    for (const [i, tc] of TEST_CARDS.entries()) {
      const cvc = tc.brand === "amex" ? `9${String(300 + i).padStart(3, "0")}` : `${6 + (i % 3)}${String(10 + i).padStart(2, "0")}`;
      cvcs.push(cvc);
      await pay(link.id, tc.number, { cvc, code: "shown", ip: `10.5.${i}.1` });
    }
    await reconcilePending({ now: new Date(Date.now() + 3600_000) });
    const tables = await dump((t) => !t.startsWith("sandbox_"));
    expect(tables).toContain(link.id);
    const log = consoleLog.join("\n");
    for (const [i, tc] of TEST_CARDS.entries()) {
      expect(tables, tc.number).not.toContain(tc.number);
      expect(log, tc.number).not.toContain(tc.number);
      expect(tables, `cvv2 of ${tc.number}`).not.toMatch(new RegExp(`"${cvcs[i]}"`));
      expect(log, `cvv2 of ${tc.number}`).not.toMatch(new RegExp(`(cvc|cvv)[^&]*=${cvcs[i]}`));
    }
    expect(log).toMatch(/token=tok_/);
  });
});
