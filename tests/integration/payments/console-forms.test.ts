import { and, eq, sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { createTeam, type Team } from "../../support/fixtures";
import { as, DEMO_PASSWORD, signIn, type SignedIn } from "../../support/auth";
import { settle } from "../../support/responses";
import { db, rows } from "../../../db/client.server";
import * as s from "../../../db/schema";
import { en } from "~/lib/i18n/en";
import { action as terminalAction, loader as terminalLoader } from "~/routes/_app.terminal";
import * as tokensRoute from "~/routes/sandbox.v1.tokens";
import * as tokenForms from "~/routes/sandbox.v1.token-forms";
import { refundFormAction } from "~/web/refunds/refund-form.server";
import { createPayment, getPayment } from "~/modules/payments/payments.server";
import { CARD, card, expectLedgerTiesOut, fastSandbox } from "./fixtures";
import { CARD_EXPIRY, CARD_EXP_YEAR } from "../../support/cards";

useTestDatabase({ seed: "none" });

let team: Team;
let owner: SignedIn;
let support: SignedIn;
const terminalId = "term_vt_test";

beforeAll(async () => {
  fastSandbox();
  team = await createTeam("vt");
  await db().update(s.merchants).set({ processorId: "sandbox", feeBps: 40 }).where(eq(s.merchants.id, team.shop.id));
  await db().insert(s.terminals).values({ merchantId: team.shop.id, id: terminalId, name: "Virtual terminal", kind: "virtual" });
  owner = await signIn(team.members.owner.email);
  support = await signIn(team.members.support.email);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function loaderData(user: SignedIn, path = "/terminal"): Promise<any> {
  const res = await settle(terminalLoader({ request: as(user, path), params: {}, context: {} }));
  return res.json();
}

async function charge(user: SignedIn, form: Record<string, string>) {
  const res = await settle(terminalAction({ request: as(user, "/terminal", { form }), params: {}, context: {} }));
  const text = res.status === 303 || res.status === 302 ? "" : await res.text();
  return { status: res.status, location: res.headers.get("location"), text, json: text ? JSON.parse(text) : null };
}

const expiry = CARD_EXPIRY;

/** What the page's script does with the card: the browser asks the provider for a token (the console never sees the number). */
async function tokenFor(number: string, cvc = "123", exp = expiry): Promise<string> {
  const [month, year] = exp.split("/");
  const res = await tokensRoute.action({
    request: new Request("http://localhost/sandbox/v1/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ number, exp_month: Number(month), exp_year: Number(year), cvc }) }),
    params: {},
    context: {},
  } as never);
  const body = (await res.json()) as { id?: string };
  if (!body.id) throw new Error(`not tokenized: ${JSON.stringify(body)}`);
  return body.id;
}

async function paymentCount(): Promise<number> {
  const [r] = await rows<{ n: string }>(db(), sql`select count(*)::text n from payments where merchant_id = ${team.shop.id}`);
  return Number(r!.n);
}

async function chargeAudits(paymentId: string) {
  return rows<{ outcome: string; actor_email: string; details: unknown }>(
    db(),
    sql`select outcome, actor_email, details from audit_events where merchant_id = ${team.shop.id} and action = 'payment.charge' and target_id = ${paymentId} order by id`,
  );
}

describe("virtual terminal (/terminal)", () => {
  it("charges a card, redirects to a receipt, and a re-sent form never charges twice", async () => {
    const data = await loaderData(owner);
    expect(data.terminals.map((x: { id: string }) => x.id)).toEqual([terminalId]);
    expect(data.formKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.testCards.length).toBeGreaterThan(10);
    const before = await paymentCount();
    const form = {
      terminal: terminalId,
      amount: "1,250,000",
      token: await tokenFor("6037990000000006"),
      description: "Two bags of beans",
      customerReference: "INV-77",
      key: data.formKey,
    };
    // A double click: two submissions of the same rendering at once.
    const [a, b] = await Promise.all([charge(owner, form), charge(owner, form)]);
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    expect(a.location).toBe(b.location);
    // A refresh that re-sends the POST later, or a retry whose script tokenized the same card again.
    const c = await charge(owner, form);
    expect(c.location).toBe(a.location);
    const retried = await charge(owner, { ...form, token: await tokenFor("6037990000000006") });
    expect(retried.location).toBe(a.location);
    expect(await paymentCount()).toBe(before + 1);
    // The capture committed with its audit event and the form key's answer: one of each.
    const paymentId = decodeURIComponent(a.location!.split("receipt=")[1]!);
    expect(await chargeAudits(paymentId)).toEqual([
      {
        outcome: "success",
        actor_email: team.members.owner.email,
        details: { terminalId, amount: "1250000", currency: "IRR", status: "captured", card: "603799******0006" },
      },
    ]);
    const [key] = await rows<{ state: string; response_status: number; response_body: unknown }>(
      db(),
      sql`select state, response_status, response_body from idempotency_keys where merchant_id = ${team.shop.id} and key = ${form.key}`,
    );
    expect(key).toEqual({ state: "completed", response_status: 303, response_body: { paymentId } });

    const receipt = (await loaderData(owner, a.location!)).receipt;
    expect(receipt).toMatchObject({ status: "captured", amount: "1250000", currency: "IRR", maskedCard: "603799******0006", issuerBank: "017", customerReference: "INV-77" });
    // The same key with other details is a different payment: refused, with a fresh form.
    const d = await charge(owner, { ...form, amount: "99,000" });
    expect(d.status).toBe(409);
    expect(d.json).toEqual({
      ok: false,
      errors: { form: "This form was already used to charge a payment. Enter the card details again to make a new one." },
      // What was typed comes back, with a fresh key for the form (never the token).
      values: { terminal: terminalId, amount: "99,000", description: "Two bags of beans", customerReference: "INV-77", key: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    expect(d.json.values.key).not.toBe(form.key);
    await expectLedgerTiesOut({ merchantId: team.shop.id, currency: "IRR" });
  });

  it("shows a decline in plain words and a timeout as pending, with the masked card only", async () => {
    const declined = await charge(support, { terminal: terminalId, amount: "50000", token: await tokenFor(CARD.insufficient), key: crypto.randomUUID() });
    expect(declined.status).toBe(303);
    const r1 = (await loaderData(support, declined.location!)).receipt;
    expect(r1.status).toBe("declined");
    expect(r1.declineCode).toBe("insufficient_funds");
    expect(r1.maskedCard).toBe("400000******9995");
    // Not captured: its audit event is written on its own, after the decline.
    const declinedId = decodeURIComponent(declined.location!.split("receipt=")[1]!);
    expect(await chargeAudits(declinedId)).toEqual([
      {
        outcome: "failure",
        actor_email: team.members.support.email,
        details: { terminalId, amount: "50000", currency: "IRR", status: "declined", card: "400000******9995" },
      },
    ]);
    const pending = await charge(support, { terminal: terminalId, amount: "50000", token: await tokenFor(CARD.timeoutApproved), key: crypto.randomUUID() });
    const r2 = (await loaderData(support, pending.location!)).receipt;
    expect(r2.status).toBe("pending");
  });

  it("refuses bad input by field, charges nothing; a card number posted to the console is refused and never echoed", async () => {
    const before = await paymentCount();
    const base = { terminal: terminalId, amount: "10000", token: await tokenFor(CARD.approve) };
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ ...base, token: "" }, { cardNumber: "Enter the card number." }],
      [{ ...base, token: "tok_doesnotexist" }, { cardNumber: "The provider could not read this card. Enter it again." }],
      [{ ...base, amount: "0" }, { amount: expect.any(String) }],
      [{ ...base, amount: "-500" }, { amount: expect.any(String) }],
      [{ ...base, amount: "12.5" }, { amount: expect.any(String) }],
      [{ ...base, amount: "abc" }, { amount: expect.any(String) }],
      [{ ...base, amount: "9".repeat(40) }, { amount: expect.any(String) }],
      [{ ...base, terminal: "term_other" }, { terminal: "Choose the terminal to charge from." }],
      [{ ...base, description: "x".repeat(501) }, { description: "Keep it under 500 characters." }],
    ];
    for (const [form, errors] of cases) {
      const r = await charge(owner, { ...form, key: crypto.randomUUID() });
      expect(r.status, JSON.stringify(form)).toBe(400);
      expect(r.json.errors, JSON.stringify(form)).toEqual(errors);
      expect(r.json.values.amount).toBe(form.amount);
      expect(r.text).not.toContain(base.token);
    }
    expect((await charge(owner, { ...base, amount: "0", key: crypto.randomUUID() })).json.errors.amount).toBe("Enter an amount greater than zero.");
    // A script (or an old page) that posts the card here: refused on the card field, nothing charged, nothing echoed.
    const extras: Record<string, string>[] = [{ cardNumber: CARD.approve, expiry, cvc: "123" }, { number: CARD.approve }, { cvc: "123" }];
    for (const extra of extras) {
      const r = await charge(owner, { ...base, ...extra, key: crypto.randomUUID() });
      expect(r.status).toBe(400);
      expect(r.json.errors).toEqual({
        cardNumber: "Card numbers are not accepted here: the page sends the card to the payment provider, and posts only the provider's token. Reload the page and enter the card again.",
      });
      expect(r.text).not.toContain(CARD.approve);
      expect(r.text).not.toMatch(/"123"/);
    }
    const noKey = await charge(owner, base);
    expect(noKey.status).toBe(400);
    expect(noKey.json.errors).toEqual({ form: "This form has expired. A fresh one is ready: enter the card details again and charge." });
    expect(noKey.json.values.key).toMatch(/^[0-9a-f-]{36}$/);
    // A Persian reader gets the same refusals in Persian.
    await db().update(s.users).set({ locale: "fa" }).where(eq(s.users.id, support.userId));
    try {
      const fa = await charge(support, { ...base, token: "", terminal: "term_other", key: crypto.randomUUID() });
      expect(fa.status).toBe(400);
      expect(fa.json.errors).toEqual({ cardNumber: "شماره کارت را وارد کنید.", terminal: "پایانهٔ دریافت پرداخت را انتخاب کنید." });
    } finally {
      await db().update(s.users).set({ locale: null }).where(eq(s.users.id, support.userId));
    }
    expect(await paymentCount()).toBe(before);
  });

  it("the provider's tokenization refuses a bad card by field before anything reaches the console", async () => {
    const tok = async (body: Record<string, unknown>) => {
      const res = await tokensRoute.action({
        request: new Request("http://localhost/sandbox/v1/tokens", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
        params: {},
        context: {},
      } as never);
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    const y = CARD_EXP_YEAR;
    expect(await tok({ number: "4242424242424241", exp_month: 12, exp_year: y, cvc: "123" })).toEqual({ status: 402, code: "invalid_number" });
    expect(await tok({ number: CARD.approve, exp_month: 1, exp_year: 2020, cvc: "123" })).toMatchObject({ status: 402 });
    expect(await tok({ number: CARD.approve, exp_month: 12, exp_year: y, cvc: "12" })).toEqual({ status: 402, code: "invalid_cvc" });
  });

  it("without JavaScript: the form posts to the provider's card form, comes back with a token and the other fields, and charges only after a confirm", async () => {
    const before = await paymentCount();
    const data = await loaderData(owner);
    const r = await tokenForms.action({
      request: new Request("http://localhost/sandbox/v1/token-forms", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ return_url: "/terminal", md_key: data.formKey, md_terminal: terminalId, md_amount: "75,000", md_description: "قهوه", md_customerReference: "INV-9", number: "6037 9900 0000 0006", exp: expiry, cvc: "123" }).toString(),
      }),
      params: {},
      context: {},
    } as never);
    expect(r.status).toBe(303);
    const back = r.headers.get("location")!;
    expect(back).toMatch(/^\/terminal\?/);
    expect(back).not.toContain("6037990000000006");
    expect(back).not.toMatch(/cvc|number=|exp=/);
    const returned = (await loaderData(owner, back)).returned;
    expect(returned).toMatchObject({ kind: "confirm", amount: "75000", card: { maskedCard: "603799******0006" }, values: { description: "قهوه", customerReference: "INV-9" } });
    // The GET charged nothing; the confirm does, once.
    expect(await paymentCount()).toBe(before);
    const form = { key: returned.key, token: returned.token, terminal: returned.values.terminal, amount: returned.values.amount, description: returned.values.description, customerReference: returned.values.customerReference };
    const c = await charge(owner, form);
    expect(c.status).toBe(303);
    expect((await charge(owner, form)).location).toBe(c.location);
    expect(await paymentCount()).toBe(before + 1);
    // A card the provider refused comes back on its field with what was typed.
    const bad = await tokenForms.action({
      request: new Request("http://localhost/sandbox/v1/token-forms", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ return_url: "/terminal", md_key: data.formKey, md_amount: "75,000", number: "4242424242424241", exp: expiry, cvc: "123" }).toString(),
      }),
      params: {},
      context: {},
    } as never);
    const refused = (await loaderData(owner, bad.headers.get("location")!)).returned;
    expect(refused.kind).toBe("failure");
    expect(refused.failure.errors.cardNumber).toMatch(/not valid/);
    expect(refused.failure.values.amount).toBe("75,000");
  });

  it("lists the member's own last 10 terminal payments, newest first, and a pending one resolves when its receipt is loaded again", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await charge(owner, { terminal: terminalId, amount: String(10_000 + i), token: await tokenFor(CARD.approveIr), key: crypto.randomUUID() });
      expect(r.status).toBe(303);
      mine.push(new URL(r.location!, "http://x").searchParams.get("receipt")!);
    }
    // Someone else's charge on the same terminal, and a payment made through the API (no member), are not in it.
    const theirs = await charge(support, { terminal: terminalId, amount: "77777", token: await tokenFor(CARD.approveIr), key: crypto.randomUUID() });
    const api = await createPayment({ merchantId: team.shop.id }, { amount: 55_555n, currency: "IRR", card: card(CARD.approveIr) }, { terminalId });
    const list = (await loaderData(owner)).recent as { id: string; amount: string; status: string; maskedCard: string }[];
    expect(list.map((p) => p.id)).toEqual(mine.slice(1).reverse());
    expect(list[0]).toMatchObject({ amount: "10010", status: "captured", maskedCard: "603799******0006" });
    expect(list.map((p) => p.amount)).not.toContain("77777");
    expect(api.ok && list.some((p) => p.id === api.payment.id)).toBe(false);
    const supportList = (await loaderData(support)).recent as { id: string; amount: string }[];
    expect(supportList.map((p) => p.id)).toContain(new URL(theirs.location!, "http://x").searchParams.get("receipt"));
    expect(supportList.every((p) => !mine.includes(p.id))).toBe(true);

    // The provider does not answer in time: pending on the receipt and in the list.
    const pending = await charge(owner, { terminal: terminalId, amount: "60000", token: await tokenFor(CARD.timeoutApproved), key: crypto.randomUUID() });
    const id = new URL(pending.location!, "http://x").searchParams.get("receipt")!;
    const first = await loaderData(owner, pending.location!);
    expect(first.receipt.status).toBe("pending");
    expect(first.recent[0]).toMatchObject({ id, status: "pending" });
    // Within the grace period the receipt leaves the request path alone: still pending.
    expect((await loaderData(owner, pending.location!)).receipt.status).toBe("pending");
    // Past it, loading the receipt again (what the page does every few seconds) asks the provider
    // and shows the answer, in the receipt and in the list; the payment is charged once.
    // (Eleven seconds pass: every payment of the merchant is moved back, so their order stays.)
    await db().execute(sql`update payments set created_at = created_at - interval '11 seconds' where merchant_id = ${team.shop.id}`);
    const later = await loaderData(owner, pending.location!);
    expect(later.receipt.status).toBe("captured");
    expect(later.recent[0]).toMatchObject({ id, status: "captured" });
    // The form page's list alone (a member who left the receipt) asks too.
    const second = await charge(owner, { terminal: terminalId, amount: "61000", token: await tokenFor(CARD.timeoutApproved), key: crypto.randomUUID() });
    const secondId = new URL(second.location!, "http://x").searchParams.get("receipt")!;
    await db().execute(sql`update payments set created_at = created_at - interval '11 seconds' where merchant_id = ${team.shop.id}`);
    expect((await loaderData(owner)).recent[0]).toMatchObject({ id: secondId, status: "captured" });
    const [n] = await rows<{ n: string }>(db(), sql`select count(*)::text n from payments where merchant_id = ${team.shop.id} and amount in (60000, 61000)`);
    expect(n!.n).toBe("2");
    await expectLedgerTiesOut({ merchantId: team.shop.id, currency: "IRR" });
  });

  it("is closed to roles without terminal:charge", async () => {
    const viewer = await signIn(team.members.viewer.email);
    const res = await settle(terminalLoader({ request: as(viewer, "/terminal"), params: {}, context: {} }));
    expect(res.status).toBe(403);
    const post = await settle(terminalAction({ request: as(viewer, "/terminal", { form: { amount: "1" } }), params: {}, context: {} }));
    expect(post.status).toBe(403);
  });
});

describe("refund form on the payment page", () => {
  async function captured(amount: bigint): Promise<string> {
    const r = await createPayment({ merchantId: team.shop.id }, { amount, currency: "IRR", card: card(CARD.approveIr) }, { terminalId });
    if (!r.ok || r.payment.status !== "captured") throw new Error("not captured");
    return r.payment.id;
  }

  async function refund(user: SignedIn, paymentId: string, form: Record<string, string>) {
    const res = await settle(refundFormAction({ request: as(user, `/payments/${paymentId}`, { form }), params: { paymentId }, context: {} }));
    const text = res.status === 303 ? "" : await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { text };
    }
    return { status: res.status, location: res.headers.get("location"), json };
  }

  it("refunds part, then refuses more than the remainder naming it; a re-sent form refunds once", async () => {
    const id = await captured(400_000n);
    const key = crypto.randomUUID();
    const form = { amount: "150,000", reason: "duplicate", note: "charged twice", key };
    const [a, b] = await Promise.all([refund(owner, id, form), refund(owner, id, form)]);
    expect(a.status).toBe(303);
    expect(a.location).toBe(b.location);
    expect(a.location).toMatch(/refundStatus=succeeded/);
    expect((await getPayment({ merchantId: team.shop.id }, id))?.amountRefunded).toBe(150_000n);
    const over = await refund(owner, id, { amount: "300000", reason: "other", key: crypto.randomUUID() });
    expect(over.status).toBe(400);
    expect(over.json.errors.amount).toMatch(/250,000/);
    const rest = await refund(owner, id, { amount: "", reason: "requested_by_customer", key: crypto.randomUUID() });
    expect(rest.status).toBe(303);
    expect((await getPayment({ merchantId: team.shop.id }, id))?.amountRefunded).toBe(400_000n);
    const empty = await refund(owner, id, {});
    expect(empty.status).toBe(400);
    await expectLedgerTiesOut({ merchantId: team.shop.id, currency: "IRR" });
  });

  it("applies support's per-refund limit; above it owners confirm their password (step-up) when the session is not recent", async () => {
    const id = await captured(2_000_000n);
    const tooMuch = await refund(support, id, { amount: "", reason: "other", key: crypto.randomUUID() });
    // The form passes the member, not a limit: the domain's cap (refundCapOf) refuses it, and audits it.
    expect(tooMuch.status).toBe(403);
    expect(tooMuch.json.errors).toEqual({ amount: "Your role can refund at most IRR\u00a0500,000 at a time. Ask an administrator or the owner to refund IRR\u00a02,000,000." });
    const [audited] = await db()
      .select({ outcome: s.auditEvents.outcome, actor: s.auditEvents.actorUserId, details: s.auditEvents.details })
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.action, "refund.create"), eq(s.auditEvents.targetId, id)));
    expect(audited).toEqual({ outcome: "failure", actor: support.userId, details: { paymentId: id, amount: "remainder", code: "amount_exceeds_limit" } });
    // Within the limit, support refunds without a fresh password.
    await db().update(s.sessions).set({ verifiedAt: new Date(Date.now() - 3600_000) }).where(eq(s.sessions.id, support.sessionId));
    const small = await refund(support, id, { amount: "100000", reason: "other", key: crypto.randomUUID() });
    expect(small.status).toBe(303);
    expect((await getPayment({ merchantId: team.shop.id }, id))?.amountRefunded).toBe(100_000n);
    // Above the limit (owner): step-up required, then accepted with the password.
    await db().update(s.sessions).set({ verifiedAt: new Date(Date.now() - 3600_000) }).where(eq(s.sessions.id, owner.sessionId));
    const noStepUp = await refund(owner, id, { amount: "", reason: "other", key: crypto.randomUUID() });
    expect(noStepUp.status).toBe(403);
    expect(noStepUp.json.stepUp).toBe(en["stepUp.error.missing"]);
    expect((await getPayment({ merchantId: team.shop.id }, id))?.amountRefunded).toBe(100_000n);
    const withPassword = await refund(owner, id, { amount: "", reason: "other", stepUpPassword: DEMO_PASSWORD, key: crypto.randomUUID() });
    expect(withPassword.status).toBe(303);
    expect((await getPayment({ merchantId: team.shop.id }, id))?.amountRefunded).toBe(2_000_000n);
  });

  it("is closed to roles without refunds:create and to other merchants' payments", async () => {
    const id = await captured(10_000n);
    const accountant = await signIn(team.members.accountant.email);
    const r = await refund(accountant, id, { amount: "1000", reason: "other" });
    expect(r.status).toBe(403);
    const outsider = await signIn(team.outsider.email);
    const o = await refund(outsider, id, { amount: "1000", reason: "other" });
    expect(o.status).toBe(404);
    expect((await getPayment({ merchantId: team.shop.id }, id))?.amountRefunded).toBe(0n);
  });
});
