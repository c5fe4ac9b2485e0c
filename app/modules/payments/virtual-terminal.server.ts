/**
 * The virtual terminal page's server side: which terminals may charge, reading and
 * checking the form, charging under the form's idempotency key, and the receipt.
 *
 * The key is minted with the form (one per rendering). A double click, a retry after
 * a dropped connection or the browser re-sending the POST all carry the same key, so
 * they get the first attempt's answer (a redirect to its receipt), never a second
 * payment.
 *
 * The card number and CVV2 never come here: the page sends them from the browser to the
 * provider's tokenization endpoint (or, without JavaScript, to the provider's own form,
 * which sends the browser back with a token), and the form posts only the token. The page's
 * action (routes/_app.terminal.tsx) parses the form, refuses one that posts a card number
 * anyway (not kept or echoed), and answers this module's refusals through `refuse`.
 */
import type { Client, Scope } from "~/lib/vocabulary";
import crypto from "node:crypto";
import { and, asc, desc, eq, isNotNull, sql } from "drizzle-orm";
import { payments, terminals } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { preparedOnce } from "~db/prepared.server";
import { maskedCardOf, maskPan } from "~/lib/card";
import { makeFormatter, type Formatter } from "~/lib/format";
import type { FormFailure } from "~/lib/forms";
import { amountErrorMessage, cardErrorOf } from "~/lib/i18n/messages";
import type { Translator } from "~/lib/i18n/translate";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { AppContext } from "~/modules/access/context";
import { auditStatement } from "~/modules/audit/audit.server";
import { merchantRowOf } from "~/modules/access/session-context.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { fingerprint, validKey, withIdempotency } from "~/modules/idempotency/idempotency.server";
import { TEST_CARDS, type TestCard } from "~/modules/processors/test-cards";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError, type CardToken } from "~/modules/processors/types";
import { createPayment, CUSTOMER_REFERENCE_MAX, DESCRIPTION_MAX, getPayment, loadMerchant, PAYMENT_LINE_COLUMNS, type Merchant, type Payment } from "./payments.server";
import { settlePayment } from "./reconcile-pending.server";

export type TerminalField = "terminal" | "amount" | "cardNumber" | "expiry" | "cvc" | "description" | "customerReference" | "form";

export interface TerminalFormValues {
  terminal: string;
  amount: string;
  description: string;
  customerReference: string;
}

/** The card as the provider describes its token: what the confirm step and the receipt show. */
export interface TokenCard {
  token: string;
  brand: string;
  funding: string;
  maskedCard: string;
  issuerBank: string;
  expiry: string;
}

export type TerminalErrors = Partial<Record<TerminalField, string>>;

/** A refused charge: messages by field in the viewer's language; `freshKey` when the form's key may not be used again. */
export interface TerminalRefusal {
  ok: false;
  status: number;
  errors: TerminalErrors;
  freshKey?: string;
}

export type TerminalChargeResult = { ok: true; paymentId: string } | TerminalRefusal;

/** What the charge form posts (read and bounded by the page's action): the fields, the card's token, the form's key. */
export interface TerminalChargeInput extends TerminalFormValues {
  token: string;
  key: string;
}

export interface ChargeableTerminal {
  id: string;
  name: string;
  kind: "virtual" | "api";
}

export function newTerminalFormKey(): string {
  return crypto.randomUUID();
}

/** A merchant's active terminals by name, built once per process (every charge and every rendering of the form reads them). */
const activeTerminals = preparedOnce((d) =>
  d
    .select({ id: terminals.id, name: terminals.name, kind: terminals.kind })
    .from(terminals)
    .where(and(eq(terminals.merchantId, sql.placeholder("merchantId")), eq(terminals.status, "active")))
    .orderBy(asc(terminals.name))
    .prepare("terminals_active"),
);

/** Active terminals, the console's own (virtual) ones first. */
export async function chargeableTerminals(scope: Scope): Promise<ChargeableTerminal[]> {
  const list = await activeTerminals(db(), { merchantId: scope.merchantId });
  // A payment link's terminal takes payments only through its hosted page.
  const keyed = list.filter((x): x is ChargeableTerminal => x.kind !== "link");
  return [...keyed.filter((x) => x.kind === "virtual"), ...keyed.filter((x) => x.kind !== "virtual")];
}

function tools(ctx: AppContext): { t: Translator; fmt: Formatter } {
  const prefs = resolvePreferences(ctx);
  return { t: serverTranslator(prefs), fmt: makeFormatter({ ...prefs }) };
}

/** The card behind a token, from the merchant's provider (null: no such token). */
export async function describeTerminalToken(scope: Scope, token: string): Promise<TokenCard | null> {
  const m = await loadMerchant(scope);
  const c = await providerCard(m?.processorId, token);
  return c && tokenCard(c);
}

/** The provider's description of a token (null: not a token, unknown, or the provider did not answer). */
async function providerCard(processorId: string | null | undefined, token: string): Promise<CardToken | null> {
  if (!/^tok_[A-Za-z0-9]{1,64}$/.test(token)) return null;
  try {
    return await processorFor(processorId).describeToken(token);
  } catch {
    return null;
  }
}

function tokenCard(c: CardToken): TokenCard {
  return {
    token: c.token,
    brand: c.brand,
    funding: c.funding,
    maskedCard: maskPan(c.bin, c.last4),
    issuerBank: c.issuerBank,
    expiry: `${String(c.expMonth).padStart(2, "0")}/${String(c.expYear % 100).padStart(2, "0")}`,
  };
}

export function terminalValuesOf(read: (name: string, max: number) => string): TerminalFormValues {
  return {
    terminal: read("terminal", 100),
    amount: read("amount", 60),
    description: read("description", DESCRIPTION_MAX + 1),
    customerReference: read("customerReference", CUSTOMER_REFERENCE_MAX + 1),
  };
}

type Checked =
  | {
      ok: true;
      terminal: ChargeableTerminal;
      amount: bigint;
      description: string;
      customerReference: string;
      card: TokenCard;
      /** What the charge needs read here already: the merchant's row and the provider's card. */
      merchant: Merchant;
      providerCard: CardToken;
    }
  | { ok: false; errors: TerminalErrors };

/** Every field but the idempotency key, checked in the viewer's language; the card by its token. */
export async function checkTerminalFields(ctx: AppContext, values: TerminalFormValues, token: string): Promise<Checked> {
  const { t, fmt } = tools(ctx);
  const errors: TerminalErrors = {};
  const currency = ctx.merchant.currency;
  // The merchant's row as this request's session read it (else read now); the terminals and the card together.
  const merchant = merchantRowOf(ctx) ?? (await loadMerchant(ctx.scope));
  const [active, described] = await Promise.all([chargeableTerminals(ctx.scope), token === "" ? null : providerCard(merchant?.processorId, token)]);
  const terminal = active.find((x) => x.id === values.terminal) ?? (values.terminal === "" && active.length === 1 ? active[0] : undefined);
  if (!terminal) errors.terminal = active.length ? t("vt.error.terminal") : t("vt.noTerminal");

  let amount: bigint | null = null;
  if (!isCurrencyCode(currency)) errors.amount = t("money.error.unsupported_currency", { currency });
  else {
    const parsed = parseAmount(values.amount, currency);
    if (parsed.ok) amount = parsed.minor;
    else errors.amount = amountErrorMessage(t, fmt, parsed);
  }

  if (token === "") errors.cardNumber = t("vt.error.cardNumber.empty");
  else if (!described) errors.cardNumber = t("vt.error.cardUnread");
  const card = described && tokenCard(described);

  const description = values.description.trim();
  if (description.length > DESCRIPTION_MAX) errors.description = t("vt.error.tooLong", { max: DESCRIPTION_MAX });
  const customerReference = values.customerReference.trim();
  if (customerReference.length > CUSTOMER_REFERENCE_MAX) errors.customerReference = t("vt.error.tooLong", { max: CUSTOMER_REFERENCE_MAX });
  if (Object.keys(errors).length || !terminal || amount === null || !card || !described) return { ok: false, errors };
  if (!merchant) return { ok: false, errors: { form: t("vt.error.merchantInactive") } };
  return { ok: true, terminal, amount, description, customerReference, card, merchant, providerCard: described };
}

/**
 * Charges the card of a terminal form by its token. Every refusal names its field in the
 * viewer's language; nothing is charged unless every field is right.
 */
export async function chargeFromTerminal(ctx: AppContext, input: TerminalChargeInput, client: Client): Promise<TerminalChargeResult> {
  const { t } = tools(ctx);
  const checked = await checkTerminalFields(ctx, input, input.token);
  const key = input.key;
  const keyError = validKey(key) ? null : t("vt.error.formExpired");
  if (!checked.ok || keyError) {
    const errors = { ...(checked.ok ? {} : checked.errors), ...(keyError ? { form: keyError } : {}) };
    return { ok: false, status: 400, errors, freshKey: keyError ? newTerminalFormKey() : undefined };
  }
  const { terminal, amount, description, customerReference, card, merchant, providerCard: described } = checked;
  const currency = ctx.merchant.currency;

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
        // The card, not the token: a retry that tokenized the same card again is the same request.
        card: `${card.maskedCard}/${card.expiry}`,
        description,
        customerReference,
      }),
    },
    async ({ storeIn }) => {
      const chargeAudit = (dbx: DbOrTx, outcome: { payment: Payment } | { code: string }) =>
        auditStatement(dbx, {
          actor: ctx,
          action: "payment.charge",
          outcome: "payment" in outcome && (outcome.payment.status === "captured" || outcome.payment.status === "pending") ? "success" : "failure",
          targetType: "payment",
          targetId: "payment" in outcome ? outcome.payment.id : undefined,
          details:
            "payment" in outcome
              ? { terminalId: terminal.id, amount, currency, status: outcome.payment.status, card: maskPan(outcome.payment.cardBin ?? "", outcome.payment.cardLast4 ?? "") }
              : { terminalId: terminal.id, amount, currency, code: outcome.code },
          client,
        });
      const r = await createPayment(
        ctx.scope,
        {
          amount,
          currency,
          token: card.token,
          description: description || null,
          customerReference: customerReference || null,
          capture: true,
          // Keyed by staff: the sandbox records it as mail/telephone order and asks for no cardholder authentication.
          channel: "moto",
        },
        {
          terminalId: terminal.id,
          userId: ctx.user.id,
          idempotencyKey: `vt:${ctx.user.id}:${key}`,
          // Read in this request (the session's statement, the checks above): not read again.
          preloaded: { merchant, terminal: { id: terminal.id, name: terminal.name, status: "active" }, card: described },
          // The usual outcome, a capture, commits with its audit event and the form key's answer
          // (both sent in the capture's own round trip).
          withCapture: (tx, captured) =>
            Promise.all([chargeAudit(tx, { payment: captured }), storeIn ? storeIn(tx, { status: 303, body: { paymentId: captured.id } }) : null]),
        },
      );
      if (r.ok && r.storedWithCapture) return { status: 303, body: { paymentId: r.payment.id }, stored: !!storeIn };
      await chargeAudit(db(), r.ok ? { payment: r.payment } : { code: r.error.code });
      if (r.ok) return { status: 303, body: { paymentId: r.payment.id } };
      // Refused before anything was charged: not kept, so the form can be fixed and sent again.
      return { status: r.error.status, body: { code: r.error.code, param: r.error.param, message: r.error.message }, store: false };
    },
  );

  if (outcome.status === 303) return { ok: true, paymentId: (outcome.body as { paymentId: string }).paymentId };
  const b = outcome.body as { code?: string; param?: string | null; message?: string; error?: { code?: string } };
  const code = b.code ?? b.error?.code ?? "";
  const refused = (errors: TerminalErrors, status = outcome.status, freshKey?: string): TerminalRefusal => ({ ok: false, status, errors, freshKey });
  switch (code) {
    case "idempotency_key_reused":
      return refused({ form: t("vt.error.formReused") }, 409, newTerminalFormKey());
    case "idempotency_key_in_use":
      return refused({ form: t("vt.error.inProgress") }, 409);
    case "terminal_inactive":
    case "terminal_not_found":
      return refused({ terminal: t("vt.error.terminalInactive") });
    case "merchant_not_active":
      return refused({ form: t("vt.error.merchantInactive") });
    case "provider_unavailable":
      return refused({ form: t("vt.error.provider") });
    case "token_not_found":
    case "invalid_number":
    case "invalid_expiry":
    case "expired_card":
    case "invalid_cvc": {
      const e = cardErrorOf(t, code);
      return refused({ [e.field]: e.message });
    }
    default:
      return refused({ form: t("vt.error.generic", { message: b.message ?? code }) });
  }
}

/** What a receipt and a line of the recent list both show of a payment: the card as BIN + last 4 at most. */
function paymentLine(p: Pick<Payment, "id" | "status" | "amount" | "currency" | "cardBin" | "cardLast4" | "cardBrand">): PaymentLine {
  return {
    id: p.id,
    status: p.status,
    amount: p.amount.toString(),
    currency: p.currency,
    maskedCard: maskedCardOf(p),
    cardBrand: p.cardBrand,
  };
}

interface PaymentLine {
  id: string;
  status: string;
  amount: string;
  currency: string;
  maskedCard: string | null;
  cardBrand: string;
}

export interface Receipt extends PaymentLine {
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
export async function terminalReceipt(scope: Scope, paymentId: string): Promise<Receipt | null> {
  if (!/^[A-Za-z0-9_]{1,100}$/.test(paymentId)) return null;
  const p = await getPayment(scope, paymentId);
  if (!p) return null;
  const [term] = await db()
    .select({ name: terminals.name })
    .from(terminals)
    .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.id, p.terminalId)));
  return {
    ...paymentLine(p),
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
export async function currentTerminalReceipt(scope: Scope, paymentId: string, now: Date): Promise<Receipt | null> {
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

export interface RecentTerminalPayment extends PaymentLine {
  terminalName: string | null;
  createdAt: string;
}

/**
 * The last payments this member charged on the terminal, newest first (index
 * payments_created_by). Those still pending past the grace period are asked about at the
 * provider first, as the receipt does, so the list a member comes back to is current.
 */
export async function recentTerminalPayments(scope: Scope, userId: string, limit: number, now: Date): Promise<RecentTerminalPayment[]> {
  const list = await readRecent(scope, userId, limit);
  let asked = false;
  for (const row of list) {
    if (row.status !== "pending" || now.getTime() - Date.parse(row.createdAt) < RECEIPT_INQUIRY_GRACE_MS) continue;
    const p = await getPayment(scope, row.id);
    if (p && (await inquireIfStale(p, now))) asked = true;
  }
  return asked ? readRecent(scope, userId, limit) : list;
}

async function readRecent(scope: Scope, userId: string, limit: number): Promise<RecentTerminalPayment[]> {
  const list = await db()
    .select({ ...PAYMENT_LINE_COLUMNS, terminalName: terminals.name })
    .from(payments)
    .leftJoin(terminals, and(eq(terminals.merchantId, payments.merchantId), eq(terminals.id, payments.terminalId)))
    .where(and(eq(payments.merchantId, scope.merchantId), isNotNull(payments.createdByUserId), eq(payments.createdByUserId, userId)))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit);
  return list.map((p) => ({ ...paymentLine(p), terminalName: p.terminalName ?? null, createdAt: p.createdAt.toISOString() }));
}

/** The sandbox's test cards, shown on the page while the merchant uses the sandbox. */
export async function sandboxHints(scope: Scope): Promise<Pick<TestCard, "number" | "brand" | "funding" | "behaviour">[] | null> {
  const m = await loadMerchant(scope);
  if (!m || (m.processorId ?? "sandbox") !== "sandbox") return null;
  return TEST_CARDS.map(({ number, brand, funding, behaviour }) => ({ number, brand, funding, behaviour }));
}

/** What the page shows when the provider's card form (no JavaScript) sends the browser back. */
export type TerminalReturn =
  | { kind: "confirm"; token: string; key: string; values: TerminalFormValues; card: TokenCard; amount: string }
  | { kind: "failure"; failure: FormFailure };

/**
 * Back from the provider's form endpoint: it echoed the form's other fields (md_*) and
 * added the token, or card_error=<code>. A token is shown for confirmation (nothing is
 * charged by a GET); a refusal goes back on its field with what was typed.
 */
export async function terminalReturn(ctx: AppContext, q: URLSearchParams): Promise<TerminalReturn | null> {
  const token = q.get("token");
  const cardError = q.get("card_error");
  if (token === null && cardError === null) return null;
  const { t } = tools(ctx);
  const values = terminalValuesOf((name, max) => (q.get(`md_${name}`) ?? "").slice(0, max));
  const key = (q.get("md_key") ?? "").slice(0, 300);
  if (cardError !== null || !token) {
    const e = cardErrorOf(t, (cardError ?? "").slice(0, 60));
    return { kind: "failure", failure: { ok: false, errors: { [e.field]: e.message }, values: { ...values } } };
  }
  const c = await checkTerminalFields(ctx, values, token.slice(0, 100));
  if (!c.ok) return { kind: "failure", failure: { ok: false, errors: c.errors, values: { ...values } } };
  return { kind: "confirm", token: c.card.token, key, values: { ...values, terminal: c.terminal.id }, card: c.card, amount: c.amount.toString() };
}
