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
import { configureCheckout, verifyRedirectSignature } from "~/modules/payment-links/checkout.server";
import { checkoutSecret } from "~/modules/payments/receipts.server";
import { createPaymentLink } from "~/modules/payment-links/links.server";
import { reconcilePending } from "~/modules/reconciliation/reconcile.server";
import { deactivatePaymentLink } from "~/modules/payment-links/links.server";
import { receiptSendLimits } from "~/modules/payment-links/receipt-sends.server";
import { lookupPayment } from "~/modules/payments/lookup.server";
import { paymentView } from "~/modules/payments/detail.server";
import * as receiptRoute from "~/routes/receipt.$merchantId.$paymentId.$token";
import { localDateKey } from "~/lib/dates/zones";
import { jalaliDayText } from "~/lib/day-input";
import { api } from "./api-client";
import { dumpTables, fastSandbox, makeMerchant, type TestMerchant } from "./fixtures";
import { publishEvents } from "~/modules/events/events.server";
import { CARD_EXPIRY, CARD_EXP_YEAR } from "../../support/cards";

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
    { kind: "terminal", terminalId: m.terminalId },
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
  const tok = await call(tokensRoute.action as never, req("/sandbox/v1/tokens", { json: { number, exp_month: 12, exp_year: CARD_EXP_YEAR, cvc }, origin: ORIGIN }));
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
    const tok = await call(tokensRoute.action as never, req("/sandbox/v1/tokens", { json: { number: "6037990000000006", exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "741" } }));
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
    // Refused beside the amount field, in the cardholder's language (Persian here), what was typed kept.
    // (the amounts carry direction marks and no-break spaces, left out of the comparison)
    const refusal = (await tooMuch.json()) as { errors: { amount: string } };
    refusal.errors.amount = refusal.errors.amount.replace(/\p{Cf}/gu, "").replace(/\s/gu, " ");
    expect(refusal).toEqual({ ok: false, errors: { amount: "مبلغی از ۱۰۰٬۰۰۰ ریال تا ۵٬۰۰۰٬۰۰۰ ریال وارد کنید." }, values: { amount: "۶٬۰۰۰٬۰۰۰" } });
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
    const r = await call(tokenForms.action as never, req("/sandbox/v1/token-forms", { form: { number: "6037 9900 0000 0006", exp: CARD_EXPIRY, cvc: "741", return_url: checkoutPath } }));
    expect(r.status).toBe(303);
    expect(location(r)).toMatch(new RegExp(`^${checkoutPath}\\?token=tok_[A-Za-z0-9]+$`));
    const evil = await call(tokenForms.action as never, req("/sandbox/v1/token-forms", { form: { number: "6037990000000006", exp: CARD_EXPIRY, cvc: "741", return_url: "https://evil.example/x" } }));
    expect(evil.status).toBe(400);
    const follow = await call(payCheckoutRoute.loader as never, req(location(r)), { linkId: link.id, checkoutId: checkoutPath.split("/")[3]! });
    expect(follow.status).toBe(303);
    expect(location(follow)).toMatch(/^\/sandbox\/v1\/authentication\/auth_/);

    // A mistyped card comes back as card_error and is said on the card's field, in the cardholder's language.
    const second = location(await call(payLink.action as never, req(`/pay/${link.id}`, { form: {} }), { linkId: link.id }));
    const typo = await call(tokenForms.action as never, req("/sandbox/v1/token-forms", { form: { number: "6037 9900 0000 0007", exp: CARD_EXPIRY, cvc: "741", return_url: second } }));
    expect(location(typo)).toBe(`${second}?card_error=invalid_number`);
    const shown = await call(payCheckoutRoute.loader as never, req(location(typo)), { linkId: link.id, checkoutId: second.split("/")[3]! });
    expect(((await shown.json()) as { cardErrors: unknown }).cardErrors).toEqual({ number: "شماره کارت را بررسی کنید: معتبر نیست." });
  });

  it("the card step refuses in the one form shape: a token the provider does not know above the card, an unknown button as the form's", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const checkoutPath = location(await call(payLink.action as never, req(`/pay/${link.id}`, { form: {} }), { linkId: link.id }));
    const params = { linkId: link.id, checkoutId: checkoutPath.split("/")[3]! };
    const unknown = await call(payCheckoutRoute.action as never, req(checkoutPath, { form: { intent: "pay", token: "tok_nosuchtoken" } }), params);
    expect(unknown.status).toBe(400);
    // The token is card data: it is not sent back.
    expect(await unknown.json()).toEqual({ ok: false, intent: "pay", errors: { form: "اطلاعات کارت خوانده نشد. دوباره وارد کنید." } });
    const odd = await call(payCheckoutRoute.action as never, req(checkoutPath, { form: { intent: "refund" } }), params);
    expect(odd.status).toBe(400);
    expect(await odd.json()).toEqual({ ok: false, errors: { form: "مشکلی پیش آمد. مبلغی کسر نشد؛ دوباره تلاش کنید." } });
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
    const tables = await dumpTables((t) => !t.startsWith("sandbox_"));
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

  it("a link's creation and deactivation are events in their own transaction; its payments carry it in events, the payment page and exports", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const created = await createPaymentLink(
      m.scope,
      { kind: "terminal", terminalId: m.terminalId, client: { ip: "10.1.1.1", userAgent: null, origin: ORIGIN } },
      { amount: 990_000n, minAmount: null, maxAmount: null, description: "Mug", customerFields: [], reusable: true, expiresAt: null, redirectUrl: null },
    );
    if (!created.ok) throw new Error(created.error.message);
    const link = created.link;
    await deactivatePaymentLink(m.scope, { kind: "terminal", terminalId: m.terminalId, client: { ip: null, userAgent: null, origin: ORIGIN } }, link.id);
    await deactivatePaymentLink(m.scope, { kind: "terminal", terminalId: m.terminalId }, link.id);
    await publishEvents(m.merchantId); // readers see the events once the publisher has numbered them
    const evs = await rows<{ type: string; data: { id: string; url: string; status: string; amount: string } }>(
      db(),
      sql`select type, data from events where merchant_id = ${m.merchantId} order by seq`,
    );
    // The first link also creates the merchant's "Payment links" terminal, in the same transaction.
    expect(evs.map((e) => [e.type, e.data.id, e.data.status])).toEqual([
      ["terminal.created", expect.stringMatching(/^term_/), "active"],
      ["payment_link.created", link.id, "active"],
      ["payment_link.deactivated", link.id, "deactivated"],
    ]);
    expect(evs[1]!.data.url).toBe(`${ORIGIN}/pay/${link.id}`);
    expect(evs[1]!.data.amount).toBe("990000");

    const live = await newLink(m);
    const r = await pay(live.id, "6037990000000006", { code: "shown" });
    const paymentId = (r.data.receipt as { paymentId: string }).paymentId;
    await publishEvents(m.merchantId); // readers see the events once the publisher has numbered them
    const payEvents = await rows<{ type: string; link: string | null }>(
      db(),
      sql`select type, data->>'payment_link_id' as link from events where merchant_id = ${m.merchantId} and type like 'payment.%' order by seq`,
    );
    expect(payEvents.length).toBeGreaterThan(0);
    expect(payEvents.every((e) => e.link === live.id)).toBe(true);
    expect(payEvents.map((e) => e.type)).toContain("payment.succeeded");
    const view = await paymentView(m.scope, paymentId);
    expect(view!.payment.paymentLinkId).toBe(live.id);
    expect(view!.payment.paymentLinkDescription).toBe("Coffee beans");
  });

  it("receipts by SMS or e-mail: at most N per payment a day and M per recipient, then a 429 that says why", async () => {
    const saved = { ...receiptSendLimits };
    Object.assign(receiptSendLimits, { perPayment: 2, perRecipient: 3 });
    try {
      const m = await makeMerchant({ currency: "IRR" });
      const link = await newLink(m);
      const a = await pay(link.id, "6037990000000006", { code: "shown" });
      const b = await pay(link.id, "6037990000000006", { code: "shown" });
      const send = (x: typeof a, to: string, channel = "sms") =>
        call(payCheckoutRoute.action as never, req(x.checkoutPath, { form: { intent: "send", channel, to }, ip: x.ip }), { linkId: link.id, checkoutId: x.checkoutId });
      expect((await send(a, "09121234567")).status).toBe(303);
      expect((await send(a, "۰۹۱۲۱۲۳۴۵۶۷")).status).toBe(303);
      const third = await send(a, "09120000000");
      expect(third.status).toBe(429);
      expect(await third.json()).toEqual({
        ok: false,
        intent: "send",
        errors: { to: "این رسید امروز ۲ بار ارسال شده و دیگر ارسال نمی‌شود. به جای آن، این صفحه را چاپ یا نگه دارید." },
        values: { intent: "send", channel: "sms", to: "09120000000" },
      });
      // The same number through another payment: its third receipt today is the last it gets.
      expect((await send(b, "+989121234567".replace("+98", "0"))).status).toBe(303);
      const flood = await send(b, "09121234567");
      expect(flood.status).toBe(429);
      expect(((await flood.json()) as { errors: { to: string } }).errors.to).toMatch(/رسیدهای زیادی/);
      // An address that is not one is refused beside the field, what was typed kept, and sends nothing.
      const typo = await send(b, "customer@example", "email");
      expect(typo.status).toBe(400);
      expect(await typo.json()).toEqual({ ok: false, intent: "send", errors: { to: "نشانی ایمیل را درست وارد کنید." }, values: { intent: "send", channel: "email", to: "customer@example" } });
      expect((await send(b, "customer@example.com", "email")).status).toBe(303);
      const [sms] = await rows<{ n: string }>(db(), sql`select count(*)::text as n from outbound_sms where merchant_id = ${m.merchantId} and kind = 'receipt'`);
      expect(sms!.n).toBe("3");
      const [mail] = await rows<{ n: string }>(db(), sql`select count(*)::text as n from outbound_emails where "to" = 'customer@example.com'`);
      expect(mail!.n).toBe("1");
      // The audit trail keeps the sends, without the number or address in clear.
      const audits = await rows<{ details: string }>(db(), sql`select details::text as details from audit_events where merchant_id = ${m.merchantId} and action = 'payment.receipt_sent'`);
      expect(audits).toHaveLength(4);
      expect(audits.map((x) => x.details).join()).not.toMatch(/0912|example\.com/);
    } finally {
      Object.assign(receiptSendLimits, saved);
    }
  });

  it("the provider's PIN page tells its deadline in the merchant's zone, in the cardholder's calendar and digits", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const start = await call(payLink.action as never, req(`/pay/${link.id}`, { form: {} }), { linkId: link.id });
    const checkoutPath = location(start);
    const tok = await call(tokensRoute.action as never, req("/sandbox/v1/tokens", { json: { number: "6037990000000006", exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "741" } }));
    const token = ((await tok.json()) as { id: string }).id;
    const first = await call(payCheckoutRoute.action as never, req(checkoutPath, { form: { intent: "pay", token } }), { linkId: link.id, checkoutId: checkoutPath.split("/")[3]! });
    const auth = location(first);
    expect(auth).toMatch(/\?lang=fa&tz=Asia%2FTehran$/);
    const id = auth.split("/")[4]!.split("?")[0]!;
    const page = await call(authPage.loader as never, req(auth), { authorizationId: id });
    const d = (await page.json()) as { prefs: { timeZone: string; calendar: string; locale: string }; view: { expiresAt: string } };
    expect(d.prefs).toMatchObject({ timeZone: "Asia/Tehran", calendar: "persian", locale: "fa" });
    // A request for a code keeps the zone on the page it comes back to.
    const again = await call(authPage.action as never, req(auth, { form: { intent: "request_code" } }), { authorizationId: id });
    expect(location(again)).toBe(`/sandbox/v1/authentication/${id}?lang=fa&tz=Asia%2FTehran`);
    // An empty code is refused beside the field without using a try; a wrong one says how many are left.
    const empty = await call(authPage.action as never, req(auth, { form: { intent: "submit", code: " " } }), { authorizationId: id });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ ok: false, intent: "submit", errors: { code: "رمزی را که بانک برایتان فرستاده وارد کنید." } });
    const sent = ((await (await call(authPage.loader as never, req(auth), { authorizationId: id })).json()) as { view: { sentCode: string } }).view.sentCode;
    const wrong = await call(authPage.action as never, req(auth, { form: { intent: "submit", code: sent === "111111" ? "222222" : "111111" } }), { authorizationId: id });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ ok: false, intent: "submit", errors: { code: "رمز نادرست است. ۲ بار دیگر می‌توانید تلاش کنید." } });
    // A zone that is not one falls back to the currency's.
    const bogus = await call(authPage.loader as never, req(`/sandbox/v1/authentication/${id}?lang=en&tz=Mars%2FOlympus`), { authorizationId: id });
    expect(((await bogus.json()) as { prefs: { timeZone: string } }).prefs.timeZone).toBe("Asia/Tehran");
  });

  it("support's lookup: card last 4 + about how much (toman, Persian digits) + the days + an optional trace; says whether money moved and gives a receipt link", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const link = await newLink(m);
    const paid = await pay(link.id, "6037990000000006", { code: "shown" });
    const receipt = paid.data.receipt as { paymentId: string; traceNumber: string };
    const declined = await pay(link.id, "6037990000009957", { code: "shown" });
    expect(declined.data.state).toBe("declined");
    const scope = { merchantId: m.merchantId, timeZone: "Asia/Tehran", currency: "IRR" };
    const today = localDateKey(new Date(), "Asia/Tehran");
    const jalaliToday = jalaliDayText(today).replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
    // 130,000 toman is 4% off the 1,250,000 rial paid: still "about".
    const found = await lookupPayment(scope, { last4: "۰۰۰۶", amount: "۱۳۰٬۰۰۰", unit: "toman", from: jalaliToday, to: "", trace: "" }, { origin: ORIGIN });
    if (!found.ok) throw new Error(JSON.stringify(found.errors));
    expect(found.matches.map((x) => [x.id, x.verdict, x.paymentLinkId])).toEqual([[receipt.paymentId, "captured", link.id]]);
    expect(found.lowAmount).toBe("1170000");
    // The receipt link opens the customer's receipt without signing in.
    const url = new URL(found.matches[0]!.receiptUrl);
    expect(url.origin).toBe(ORIGIN);
    const [, , merchantId, paymentId, token] = url.pathname.split("/");
    const open = await call(receiptRoute.loader as never, req(url.pathname), { merchantId: merchantId!, paymentId: paymentId!, token: token! });
    expect(open.status).toBe(200);
    expect(((await open.json()) as { receipt: { paymentId: string } }).receipt.paymentId).toBe(receipt.paymentId);
    // The declined card: no money moved.
    const no = await lookupPayment(scope, { last4: "9957", amount: "1250000", unit: "major", from: today, to: today, trace: "" });
    expect(no.ok && no.matches.map((x) => x.verdict)).toEqual(["declined"]);
    // 200,000 toman is too far; the day before has nothing.
    const far = await lookupPayment(scope, { last4: "0006", amount: "200000", unit: "toman", from: today, to: "", trace: "" });
    expect(far.ok && far.matches).toEqual([]);
    // A trace number narrows; a wrong one is said, and the fitting payments still shown.
    const byTrace = await lookupPayment(scope, { last4: "0006", amount: "125000", unit: "toman", from: today, to: "", trace: receipt.traceNumber });
    expect(byTrace.ok && byTrace.matches.map((x) => x.traceMatches)).toEqual([true]);
    const wrongTrace = receipt.traceNumber === "000000" ? "000001" : "000000";
    const missed = await lookupPayment(scope, { last4: "0006", amount: "125000", unit: "toman", from: today, to: "", trace: wrongTrace });
    expect(missed.ok && [missed.traceMissed, missed.matches.length]).toEqual([true, 1]);
    // Bad input names its field.
    const bad = await lookupPayment(scope, { last4: "12", amount: "abc", unit: "toman", from: "1404/13/40", to: "", trace: "12" });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(["amount", "from", "last4", "trace"]);
    const wide = await lookupPayment(scope, { last4: "0006", amount: "1", unit: "major", from: "2025-01-01", to: "2025-03-01", trace: "" });
    expect(!wide.ok && wide.errors.to).toEqual({ code: "wide", params: { max: 31 } });
    // Another merchant's payment with the same card ending is not found.
    const other = await lookupPayment({ ...scope, merchantId: (await makeMerchant({ currency: "IRR" })).merchantId }, { last4: "0006", amount: "125000", unit: "toman", from: today, to: "", trace: "" });
    expect(other.ok && other.matches).toEqual([]);
  });
});
