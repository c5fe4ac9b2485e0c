/**
 * A new merchant's first week, as the checker walks it: sign up, finish onboarding with
 * a real-format Sheba, take payments, run the settlement job across simulated days and
 * follow each payout to paid. Every payout equals its items; balances equal the ledger;
 * a bad account number is refused with the reason.
 */
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "~db/client.server";
import { auditEvents, merchantBankAccounts, merchants, payouts, sessions, terminals } from "~db/schema";
import { makeSheba } from "~/lib/bank-account";
import { accountTotals, getBalances, ledgerProblems } from "~/modules/ledger/ledger.server";
import { paymentReadiness } from "~/modules/merchants/onboarding.server";
import { createPayment } from "~/modules/payments/payments.server";
import { runPayoutEngine } from "~/modules/settlements/engine.server";
import { loader as appLoader } from "~/routes/_app";
import { action as onboardingAction, loader as onboardingLoader } from "~/routes/_app.onboarding";
import { action as bankAction } from "~/routes/_app.settings.bank";
import { action as signupAction } from "~/routes/signup";
import { useTestDatabase } from "../../support/db";
import { as, request, signIn, type SignedIn } from "../../support/auth";
import { createUser } from "../../support/fixtures";
import { payoutsNotMatchingItems } from "../settlements/helpers";
import { CARD_EXP_YEAR } from "../../support/cards";

const t = useTestDatabase({ seed: "none" });

const PASSWORD = "a long enough passphrase";
const EMAIL = "owner@new-cafe.test";

async function run(fn: () => unknown): Promise<Response> {
  try {
    const r = await fn();
    if (r instanceof Response) return r;
    throw new Error(`expected a Response, got ${JSON.stringify(r)}`);
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

async function body(r: Response): Promise<{ error?: { message: string; field?: string; code?: string }; errors?: Record<string, string>; values?: Record<string, string>; stepUp?: string }> {
  return (await r.clone().json()) as never;
}

let owner: SignedIn;
let merchantId: string;

type Action = (args: { request: Request; params: Record<string, string>; context: object }) => unknown;

async function post(user: SignedIn, path: string, form: Record<string, string>, action: Action = onboardingAction as Action) {
  return run(() => action({ request: as(user, path, { form }), params: {}, context: {} }));
}

describe("a new merchant", () => {
  it("signs up and lands on onboarding as the owner of a pending merchant", async () => {
    const weak = await run(() =>
      signupAction({
        request: request("/signup", { form: { businessName: "New Café", ownerName: "Sara", email: EMAIL, password: "short", country: "IR" } }),
        params: {},
        context: {},
      }),
    );
    expect(weak.status).toBe(400);
    const refused = await body(weak);
    expect(refused.errors).toEqual({ password: expect.stringMatching(/at least 12/) });
    // What was typed comes back, the password does not.
    expect(refused.values).toEqual({ businessName: "New Café", ownerName: "Sara", email: EMAIL, country: "IR" });

    const r = await run(() =>
      signupAction({
        request: request("/signup", { form: { businessName: "New Café", ownerName: "Sara", email: EMAIL, password: PASSWORD, country: "IR" } }),
        params: {},
        context: {},
      }),
    );
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("/onboarding");
    const cookie = r.headers.get("set-cookie")!.split(";")[0]!;
    const shell = (await (await run(() => appLoader({ request: request("/onboarding", { cookie }), params: {}, context: {} }))).json()) as {
      csrfToken: string;
      merchant: { id: string; status: string; currency: string; timeZone: string };
      role: string;
      user: { id: string };
    };
    expect(shell.role).toBe("owner");
    expect(shell.merchant).toMatchObject({ status: "pending", currency: "IRR", timeZone: "Asia/Tehran" });
    owner = { cookie, csrf: shell.csrfToken, sessionId: "", userId: shell.user.id };
    merchantId = shell.merchant.id;
    const [m] = await t.db.select().from(merchants).where(eq(merchants.id, merchantId));
    expect(m).toMatchObject({ settlementCutoff: "23:30:00", weekendDays: [5], holidayCalendar: "IR", settlementDelayDays: 1 });

    const again = await run(() =>
      signupAction({
        request: request("/signup", { form: { businessName: "Other", ownerName: "X", email: EMAIL.toUpperCase(), password: PASSWORD, country: "US" } }),
        params: {},
        context: {},
      }),
    );
    expect(again.status).toBe(409);
    expect((await body(again)).errors?.email).toMatch(/already exists/);
  });

  it("cannot take payments before onboarding is complete, and says why", async () => {
    const ready = await paymentReadiness({ merchantId });
    expect(ready.ready).toBe(false);
    if (!ready.ready) {
      expect(ready.missing).toEqual(["business", "bank", "provider", "terminal"]);
      expect(ready.reason).toMatch(/not active yet.*bank account for payouts/);
    }
    const page = (await (await run(() => onboardingLoader({ request: as(owner, "/onboarding"), params: {}, context: {} }))).json()) as {
      onboarding: { status: string; blocker: string; steps: { id: string; done: boolean }[] };
    };
    expect(page.onboarding.status).toBe("pending");
    expect(page.onboarding.blocker).toMatch(/cannot take payments/);
  });

  it("finishes the checklist; a bad Sheba is refused with the reason; it activates by itself", async () => {
    let r = await post(owner, "/onboarding", {
      intent: "business",
      name: "New Café",
      legalName: "New Café Co.",
      businessType: "Café",
      contactEmail: "hello@new-cafe.test",
      contactPhone: "12",
    });
    expect(r.status).toBe(400);
    const phone = await body(r);
    expect(phone.errors).toEqual({ contactPhone: "Enter a phone number with 7 to 15 digits, like +98 21 5555 0100." });
    // What was typed comes back, so nothing is lost.
    expect(phone.values).toMatchObject({ intent: "business", legalName: "New Café Co.", contactPhone: "12" });
    r = await post(owner, "/onboarding", {
      intent: "business",
      name: "New Café",
      legalName: "New Café Co.",
      businessType: "Café",
      contactEmail: "hello@new-cafe.test",
      contactPhone: "+98 21 5555 0199",
    });
    expect(r.status).toBe(302);

    const bad: [string, RegExp][] = [
      ["IR200170000000000123456788", /check digits do not match/],
      ["IR20017000000000012345678", /24 digits; this one has 23/],
      ["DE82370400440123456789", /starts with IR/],
      ["200170000000000123456789", /starts with IR/],
      [makeSheba("099", "123456"), /Bank code 099.*not belong to a known Iranian bank/],
      ["IR20 0170 0000 0000 0123 4567 8X", /only digits/],
    ];
    for (const [accountNumber, reason] of bad) {
      r = await post(owner, "/onboarding", { intent: "bank", kind: "sheba", accountNumber, holderName: "New Café Co." });
      expect(r.status, accountNumber).toBe(400);
      const refused = await body(r);
      expect(Object.keys(refused.errors ?? {}), accountNumber).toEqual(["accountNumber"]);
      expect(refused.errors?.accountNumber, accountNumber).toMatch(reason);
      expect(refused.values?.accountNumber, accountNumber).toBe(accountNumber);
    }
    expect(await t.db.select().from(merchantBankAccounts).where(eq(merchantBankAccounts.merchantId, merchantId))).toEqual([]);

    // Persian digits and spaces, as people paste it; the owner signed up moments ago, so no step-up yet.
    r = await post(owner, "/onboarding", { intent: "bank", kind: "sheba", accountNumber: "IR۲۰ ۰۱۷۰ ۰۰۰۰ ۰۰۰۰ ۰۱۲۳ ۴۵۶۷ ۸۹", holderName: "New Café Co." });
    expect(r.status).toBe(302);
    const [account] = await t.db.select().from(merchantBankAccounts).where(eq(merchantBankAccounts.merchantId, merchantId));
    expect(account).toMatchObject({ accountNumber: "IR200170000000000123456789", bankCode: "017", bankName: "Melli Bank", kind: "sheba", active: true });

    r = await post(owner, "/onboarding", { intent: "provider", providerId: "nope" });
    expect(r.status).toBe(400);
    expect((await body(r)).errors).toEqual({ providerId: "Choose one of the providers offered in the list." });
    r = await post(owner, "/onboarding", { intent: "provider", providerId: "sandbox" });
    expect(r.status).toBe(302);
    expect((await t.db.select().from(merchants).where(eq(merchants.id, merchantId)))[0]!.status).toBe("pending");

    r = await post(owner, "/onboarding", { intent: "terminal", name: "Virtual terminal", kind: "virtual" });
    expect(r.status).toBe(302);
    const [m] = await t.db.select().from(merchants).where(eq(merchants.id, merchantId));
    expect(m!.status).toBe("active");
    expect(m!.activatedAt).not.toBeNull();
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.merchantId, merchantId));
    const actions = events.map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toContain("merchant.signup:success");
    expect(actions).toContain("merchant.activate:success");
    expect(actions.filter((a) => a === "bank_account.change:failure")).toHaveLength(bad.length);
    expect(actions).toContain("bank_account.change:success");
    expect(await paymentReadiness({ merchantId })).toEqual({ ready: true });
  });

  it("takes payments and is paid out across simulated days; every payout equals its items", async () => {
    const [term] = await t.db.select().from(terminals).where(eq(terminals.merchantId, merchantId));
    const amounts = [12_345_000n, 4_500_000n, 999_000n];
    for (const amount of amounts) {
      const p = await createPayment(
        { merchantId },
        { amount, currency: "IRR", card: { number: "6037990000000006", expMonth: 12, expYear: CARD_EXP_YEAR, cvc: "123" } },
        { terminalId: term!.id, userId: owner.userId },
      );
      expect(p.ok && p.payment.status).toBe("captured");
    }
    const start = Date.now();
    const seen = new Set<string>();
    for (let day = 1; day <= 10; day++) {
      const now = new Date(start + day * 86400_000);
      const report = await runPayoutEngine({ now, merchantIds: [merchantId] });
      expect(report.runs.map((x) => x.error)).toEqual([null]);
      for (const e of report.events) seen.add(e.kind);
    }
    const ps = await t.db.select().from(payouts).where(eq(payouts.merchantId, merchantId));
    expect(ps.length).toBeGreaterThanOrEqual(1);
    expect(ps.every((p) => p.status === "paid")).toBe(true);
    expect([...seen].sort()).toEqual(["created", "paid", "sent"]);
    expect(ps.reduce((s, p) => s + p.amount, 0n)).toBe(amounts.reduce((s, a) => s + a, 0n)); // no fee on a new account
    expect(ps.every((p) => p.bankName === "Melli Bank" && p.bankAccountMask === "****6789")).toBe(true);
    expect(await payoutsNotMatchingItems(merchantId)).toEqual([]);
    expect(await ledgerProblems({ merchantId })).toEqual([]);
    const at = new Date(start + 10 * 86400_000);
    const b = await getBalances({ merchantId }, "IRR", { at });
    const totals = await accountTotals({ merchantId }, "IRR");
    expect(b).toMatchObject({ pending: 0n, available: 0n, inTransit: 0n, paidOut: ps.reduce((s, p) => s + p.amount, 0n) });
    expect(b.pending + b.available).toBe(totals.merchant_balance ?? 0n);
    expect(b.paidOut).toBe(totals.bank_paid_out ?? 0n);
  });

  it("lets only the owner change the bank account, after a step-up", async () => {
    await createUser({ email: "admin@new-cafe.test", password: PASSWORD, memberships: [{ merchantId, role: "admin" }] });
    const admin = await signIn("admin@new-cafe.test", PASSWORD);
    let r = await post(admin, "/settings/bank", { kind: "sheba", accountNumber: makeSheba("012", "5550001"), holderName: "Admin" }, bankAction as Action);
    expect(r.status).toBe(403);
    expect(await r.text()).toMatch(/does not allow/);

    // Ten minutes later the owner's sign-in is no longer fresh: a password is needed.
    await t.db
      .update(sessions)
      .set({ verifiedAt: new Date(Date.now() - 10 * 60_000) })
      .where(eq(sessions.userId, owner.userId));
    const newSheba = makeSheba("012", "5550001");
    r = await post(owner, "/settings/bank", { kind: "sheba", accountNumber: newSheba, holderName: "New Café Co." }, bankAction as Action);
    expect(r.status).toBe(403);
    expect(await body(r)).toMatchObject({ ok: false, stepUp: "missing", errors: {}, values: { accountNumber: newSheba, holderName: "New Café Co." } });
    r = await post(owner, "/settings/bank", { kind: "sheba", accountNumber: newSheba, holderName: "New Café Co.", stepUpPassword: "wrong password!" }, bankAction as Action);
    expect(r.status).toBe(403);
    expect((await body(r)).errors).toEqual({ stepUp: "That password is not correct. Confirm your password to continue." });
    // A Sheba with a wrong check digit is refused beside its field, before anything is saved.
    r = await post(owner, "/settings/bank", { kind: "sheba", accountNumber: "IR200170000000000123456788", holderName: "New Café Co.", stepUpPassword: PASSWORD }, bankAction as Action);
    expect(r.status).toBe(400);
    expect(Object.keys((await body(r)).errors ?? {})).toEqual(["accountNumber"]);
    r = await post(owner, "/settings/bank", { kind: "sheba", accountNumber: newSheba, holderName: "New Café Co.", stepUpPassword: PASSWORD }, bankAction as Action);
    expect(r.status).toBe(302);
    const list = await t.db.select().from(merchantBankAccounts).where(eq(merchantBankAccounts.merchantId, merchantId));
    expect(list.filter((a) => a.active).map((a) => [a.accountNumber, a.bankName])).toEqual([[newSheba, "Mellat Bank"]]);
    // Payouts already made keep the account they were created with.
    const ps = await t.db.select().from(payouts).where(eq(payouts.merchantId, merchantId));
    expect(ps.every((p) => p.bankAccountMask === "****6789")).toBe(true);
    const audit = await rows<{ n: string }>(
      t.db,
      sql`select count(*)::text as n from audit_events where merchant_id = ${merchantId} and action = 'bank_account.change' and outcome = 'success'`,
    );
    expect(Number(audit[0]!.n)).toBe(2);
  });
});
