/**
 * The virtual terminal page's server side: which terminals may charge, reading and
 * checking the form, charging under the form's idempotency key, and the receipt.
 *
 * The key is minted with the form (one per rendering). A double click, a retry after
 * a dropped connection or the browser re-sending the POST all carry the same key, so
 * they get the first attempt's answer (a redirect to its receipt), never a second
 * payment. The card number and CVC are handed to the provider's vault and not kept:
 * not in the database, not in the response, not in the logs.
 */
import type { Client } from "~/lib/vocabulary";
import crypto from "node:crypto";
import { and, asc, desc, eq, isNotNull } from "drizzle-orm";
import { payments, terminals } from "~db/schema";
import { db } from "~db/client.server";
import { detectCard, impossiblePan, isExpired, luhnValid, maskPan, normalizePan, parseExpiry } from "~/lib/card";
import { makeFormatter, type Formatter } from "~/lib/format";
import type { MessageKey } from "~/lib/i18n/en";
import { amountErrorMessage } from "~/lib/i18n/messages";
import type { Translator } from "~/lib/i18n/translate";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { fingerprint, validKey, withIdempotency } from "~/modules/idempotency/idempotency.server";
import { TEST_CARDS, type TestCard } from "~/modules/processors/test-cards";
import { ProcessorTimeoutError } from "~/modules/processors/types";
import { createPayment, CUSTOMER_REFERENCE_MAX, DESCRIPTION_MAX, getPayment, loadMerchant, type Payment } from "./payments.server";
import { settlePayment } from "./reconcile-pending.server";

export type TerminalField = "terminal" | "amount" | "cardNumber" | "expiry" | "cvc" | "description" | "customerReference" | "form";

export interface TerminalFormValues {
  terminal: string;
  amount: string;
  expiry: string;
  description: string;
  customerReference: string;
}

export type TerminalChargeResult =
  | { ok: true; paymentId: string }
  | { ok: false; status: number; errors: Partial<Record<TerminalField, string>>; values: TerminalFormValues; freshKey?: string };

export interface ChargeableTerminal {
  id: string;
  name: string;
  kind: "virtual" | "api";
}

export function newTerminalFormKey(): string {
  return crypto.randomUUID();
}

/** Active terminals, the console's own (virtual) ones first. */
export async function chargeableTerminals(scope: { merchantId: string }): Promise<ChargeableTerminal[]> {
  const list = await db()
    .select({ id: terminals.id, name: terminals.name, kind: terminals.kind })
    .from(terminals)
    .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.status, "active")))
    .orderBy(asc(terminals.name));
  // A payment link's terminal takes payments only through its hosted page.
  const keyed = list.filter((x): x is ChargeableTerminal => x.kind !== "link");
  return [...keyed.filter((x) => x.kind === "virtual"), ...keyed.filter((x) => x.kind !== "virtual")];
}

function tools(ctx: AppContext): { t: Translator; fmt: Formatter } {
  const prefs = resolvePreferences(ctx);
  return {
    t: serverTranslator(prefs),
    fmt: makeFormatter({
      locale: prefs.locale,
      digits: prefs.digits,
      irrDisplay: prefs.irrDisplay,
      calendar: prefs.calendar,
      timeZone: prefs.timeZone,
      currency: prefs.currency,
    }),
  };
}

const str = (form: FormData, name: string, max = 2000): string => {
  const v = form.get(name);
  return typeof v === "string" ? v.slice(0, max) : "";
};

function cvcMessage(t: Translator, lengths: number[]): string {
  if (lengths.length > 1) return t("vt.error.cvc34");
  return lengths[0] === 4 ? t("vt.error.cvc4") : t("vt.error.cvc3");
}

/**
 * Charges the card in a submitted terminal form. Every refusal names its field in the
 * viewer's language; nothing is charged unless every field is right.
 */
export async function chargeFromTerminalForm(ctx: AppContext, form: FormData, client: Client): Promise<TerminalChargeResult> {
  const { t, fmt } = tools(ctx);
  const now = new Date();
  const values: TerminalFormValues = {
    terminal: str(form, "terminal", 100),
    amount: str(form, "amount", 60),
    expiry: str(form, "expiry", 20),
    description: str(form, "description", DESCRIPTION_MAX + 1),
    customerReference: str(form, "customerReference", CUSTOMER_REFERENCE_MAX + 1),
  };
  const errors: Partial<Record<TerminalField, string>> = {};
  const currency = ctx.merchant.currency;

  const active = await chargeableTerminals(ctx.scope);
  const terminal = active.find((x) => x.id === values.terminal) ?? (values.terminal === "" && active.length === 1 ? active[0] : undefined);
  if (!terminal) errors.terminal = active.length ? t("vt.error.terminal") : t("vt.noTerminal");

  let amount: bigint | null = null;
  if (!isCurrencyCode(currency)) errors.amount = t("money.error.unsupported_currency", { currency });
  else {
    const parsed = parseAmount(values.amount, currency);
    if (parsed.ok) amount = parsed.minor;
    else errors.amount = amountErrorMessage(t, fmt, parsed);
  }

  const pan = normalizePan(str(form, "cardNumber", 60));
  const info = detectCard(pan);
  if (pan === "") errors.cardNumber = t("vt.error.cardNumber.empty");
  else if (!/^[0-9]+$/.test(pan)) errors.cardNumber = t("vt.error.cardNumber.digits");
  else if (pan.length < 12 || pan.length > 19) errors.cardNumber = t("vt.error.cardNumber.length", { min: 12, max: 19 });
  else if (impossiblePan(pan) === "brand_length") {
    errors.cardNumber = t("vt.error.cardNumber.brandLength", { brand: t(`cardBrand.${info.brand}` as MessageKey) });
  } else if (impossiblePan(pan)) errors.cardNumber = t("vt.error.cardNumber.noIssuer");
  else if (!luhnValid(pan)) errors.cardNumber = t("vt.error.cardNumber.luhn");

  const expiry = parseExpiry(values.expiry);
  if (!expiry) errors.expiry = t("vt.error.expiry.format");
  else if (isExpired(expiry, now)) {
    errors.expiry = t("vt.error.expiry.past", { expiry: `${String(expiry.month).padStart(2, "0")}/${String(expiry.year % 100).padStart(2, "0")}` });
  } else if (expiry.year > now.getUTCFullYear() + 25) errors.expiry = t("vt.error.expiry.far");

  const cvc = normalizePan(str(form, "cvc", 10));
  if (!/^[0-9]+$/.test(cvc) || !info.cvcLengths.includes(cvc.length)) errors.cvc = cvcMessage(t, info.cvcLengths);

  const description = values.description.trim();
  if (description.length > DESCRIPTION_MAX) errors.description = t("vt.error.tooLong", { max: DESCRIPTION_MAX });
  const customerReference = values.customerReference.trim();
  if (customerReference.length > CUSTOMER_REFERENCE_MAX) errors.customerReference = t("vt.error.tooLong", { max: CUSTOMER_REFERENCE_MAX });

  const key = str(form, "key", 300);
  if (!validKey(key)) errors.form = t("vt.error.formExpired");

  if (Object.keys(errors).length || !terminal || amount === null || !expiry) {
    return { ok: false, status: 400, errors, values, freshKey: errors.form ? newTerminalFormKey() : undefined };
  }

  const scope = `user:${ctx.user.id}`;
  const outcome = await withIdempotency(
    {
      merchantId: ctx.scope.merchantId,
      scope,
      key,
      method: "POST",
      path: "/terminal",
      fingerprint: fingerprint({
        terminal: terminal.id,
        amount,
        card: `${pan.slice(0, 6)}…${pan.slice(-4)}/${pan.length}`,
        expiry: `${expiry.month}/${expiry.year}`,
        description,
        customerReference,
      }),
    },
    async () => {
      const r = await createPayment(
        ctx.scope,
        {
          amount,
          currency,
          card: { number: pan, expMonth: expiry.month, expYear: expiry.year, cvc },
          description: description || null,
          customerReference: customerReference || null,
          capture: true,
          // Keyed by staff: the sandbox records it as mail/telephone order and asks for no cardholder authentication.
          channel: "moto",
        },
        { terminalId: terminal.id, userId: ctx.user.id, idempotencyKey: `vt:${ctx.user.id}:${key}` },
      );
      await audit(db(), {
        actor: ctx,
        action: "payment.charge",
        outcome: r.ok ? (r.payment.status === "captured" || r.payment.status === "pending" ? "success" : "failure") : "failure",
        targetType: "payment",
        targetId: r.ok ? r.payment.id : undefined,
        details: r.ok
          ? { terminalId: terminal.id, amount, currency, status: r.payment.status, card: maskPan(r.payment.cardBin ?? "", r.payment.cardLast4 ?? "") }
          : { terminalId: terminal.id, amount, currency, code: r.error.code },
        client,
      });
      if (r.ok) return { status: 303, body: { paymentId: r.payment.id } };
      // Refused before anything was charged: not kept, so the form can be fixed and sent again.
      return { status: r.error.status, body: { code: r.error.code, param: r.error.param, message: r.error.message }, store: false };
    },
  );

  if (outcome.status === 303) return { ok: true, paymentId: (outcome.body as { paymentId: string }).paymentId };
  const b = outcome.body as { code?: string; param?: string | null; message?: string; error?: { code?: string } };
  const code = b.code ?? b.error?.code ?? "";
  const fresh = newTerminalFormKey();
  switch (code) {
    case "idempotency_key_reused":
      return { ok: false, status: 409, errors: { form: t("vt.error.formReused") }, values, freshKey: fresh };
    case "idempotency_key_in_use":
      return { ok: false, status: 409, errors: { form: t("vt.error.inProgress") }, values };
    case "terminal_inactive":
    case "terminal_not_found":
      return { ok: false, status: outcome.status, errors: { terminal: t("vt.error.terminalInactive") }, values };
    case "merchant_not_active":
      return { ok: false, status: outcome.status, errors: { form: t("vt.error.merchantInactive") }, values };
    case "provider_unavailable":
      return { ok: false, status: outcome.status, errors: { form: t("vt.error.provider") }, values };
    case "invalid_number":
      return { ok: false, status: outcome.status, errors: { cardNumber: t("vt.error.cardNumber.luhn") }, values };
    case "invalid_expiry":
    case "expired_card":
      return { ok: false, status: outcome.status, errors: { expiry: t("vt.error.expiry.format") }, values };
    case "invalid_cvc":
      return { ok: false, status: outcome.status, errors: { cvc: cvcMessage(t, info.cvcLengths) }, values };
    default:
      return { ok: false, status: outcome.status, errors: { form: t("vt.error.generic", { message: b.message ?? code }) }, values };
  }
}

export interface Receipt {
  id: string;
  status: string;
  amount: string;
  currency: string;
  maskedCard: string | null;
  cardBrand: string;
  cardFunding: string;
  issuerBank: string;
  declineCode: string | null;
  failureMessage: string | null;
  description: string | null;
  customerReference: string | null;
  terminalName: string | null;
  createdAt: string;
}

/** The receipt of a payment of this merchant (card shown as BIN + last 4 at most). */
export async function terminalReceipt(scope: { merchantId: string }, paymentId: string): Promise<Receipt | null> {
  if (!/^[A-Za-z0-9_]{1,100}$/.test(paymentId)) return null;
  const p = await getPayment(scope, paymentId);
  if (!p) return null;
  const [term] = await db()
    .select({ name: terminals.name })
    .from(terminals)
    .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.id, p.terminalId)));
  return {
    id: p.id,
    status: p.status,
    amount: p.amount.toString(),
    currency: p.currency,
    maskedCard: p.cardBin && p.cardLast4 ? maskPan(p.cardBin, p.cardLast4) : null,
    cardBrand: p.cardBrand,
    cardFunding: p.cardFunding,
    issuerBank: p.issuerBank,
    declineCode: p.declineCode,
    failureMessage: p.failureMessage,
    description: p.description,
    customerReference: p.customerReference,
    terminalName: term?.name ?? null,
    createdAt: p.createdAt.toISOString(),
  };
}

/** How long a pending charge is left to its own request before the receipt asks the provider (as the inquiry job does). */
export const RECEIPT_INQUIRY_GRACE_MS = 10_000;
/** After this long with no record at the provider, the inquiry calls the payment failed (nothing was charged). */
const RECEIPT_GIVE_UP_MS = 120_000;

/**
 * The receipt as it stands now. A pending payment older than the grace period is asked
 * about at the provider first (the inquiry job's own step: it never authorizes again, so a
 * receipt refreshing itself can never charge twice); a provider that does not answer
 * leaves it pending for the next refresh or the job.
 */
export async function currentTerminalReceipt(scope: { merchantId: string }, paymentId: string, now: Date): Promise<Receipt | null> {
  if (!/^[A-Za-z0-9_]{1,100}$/.test(paymentId)) return null;
  const p = await getPayment(scope, paymentId);
  if (!p) return null;
  await inquireIfStale(p, now);
  return terminalReceipt(scope, paymentId);
}

/** True when the provider was asked (the payment may have changed). */
async function inquireIfStale(p: Payment, now: Date): Promise<boolean> {
  if (p.status !== "pending" || now.getTime() - p.createdAt.getTime() < RECEIPT_INQUIRY_GRACE_MS) return false;
  try {
    await settlePayment(p, now, RECEIPT_GIVE_UP_MS);
  } catch (e) {
    if (!(e instanceof ProcessorTimeoutError)) console.error(`terminal: inquiry for payment ${p.id} failed:`, (e as Error).message);
  }
  return true;
}

export interface RecentTerminalPayment {
  id: string;
  status: string;
  amount: string;
  currency: string;
  maskedCard: string | null;
  cardBrand: string;
  terminalName: string | null;
  createdAt: string;
}

/**
 * The last payments this member charged on the terminal, newest first (index
 * payments_created_by). Those still pending past the grace period are asked about at the
 * provider first, as the receipt does, so the list a member comes back to is current.
 */
export async function recentTerminalPayments(scope: { merchantId: string }, userId: string, limit: number, now: Date): Promise<RecentTerminalPayment[]> {
  const list = await readRecent(scope, userId, limit);
  let asked = false;
  for (const row of list) {
    if (row.status !== "pending" || now.getTime() - Date.parse(row.createdAt) < RECEIPT_INQUIRY_GRACE_MS) continue;
    const p = await getPayment(scope, row.id);
    if (p && (await inquireIfStale(p, now))) asked = true;
  }
  return asked ? readRecent(scope, userId, limit) : list;
}

async function readRecent(scope: { merchantId: string }, userId: string, limit: number): Promise<RecentTerminalPayment[]> {
  const list = await db()
    .select({
      id: payments.id,
      status: payments.status,
      amount: payments.amount,
      currency: payments.currency,
      cardBin: payments.cardBin,
      cardLast4: payments.cardLast4,
      cardBrand: payments.cardBrand,
      terminalName: terminals.name,
      createdAt: payments.createdAt,
    })
    .from(payments)
    .leftJoin(terminals, and(eq(terminals.merchantId, payments.merchantId), eq(terminals.id, payments.terminalId)))
    .where(and(eq(payments.merchantId, scope.merchantId), isNotNull(payments.createdByUserId), eq(payments.createdByUserId, userId)))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit);
  return list.map((p) => ({
    id: p.id,
    status: p.status,
    amount: p.amount.toString(),
    currency: p.currency,
    maskedCard: p.cardBin && p.cardLast4 ? maskPan(p.cardBin, p.cardLast4) : null,
    cardBrand: p.cardBrand,
    terminalName: p.terminalName ?? null,
    createdAt: p.createdAt.toISOString(),
  }));
}

/** The sandbox's test cards, shown on the page while the merchant uses the sandbox. */
export async function sandboxHints(scope: { merchantId: string }): Promise<Pick<TestCard, "number" | "brand" | "funding" | "behaviour">[] | null> {
  const m = await loadMerchant(scope);
  if (!m || (m.processorId ?? "sandbox") !== "sandbox") return null;
  return TEST_CARDS.map(({ number, brand, funding, behaviour }) => ({ number, brand, funding, behaviour }));
}
