/**
 * Taking payments: create (tokenize, record, authorize), capture, void, read.
 *
 * The payment row is written (pending) before the provider is called, and the
 * provider's answer is applied in a second transaction that locks the row and only
 * moves it forward from the state it expects. So a crash, a timeout or a racing
 * reconciliation job can leave a payment pending for a while, but never charge it
 * twice, never lose it, and never post its money twice: the ledger posting is written
 * in the same transaction as the status change, and the rollups by triggers on both.
 */
import { recordEvent } from "~/modules/events/events.server";
import { serializePayment } from "./serialize";
import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { paymentReadiness } from "~/modules/merchants/onboarding.server";
import { merchants, payments, refunds, terminals } from "~db/schema";
import { db, type DbOrTx, type Tx } from "~db/client.server";
import { preparedOnce, preparedSql } from "~db/prepared.server";
import { batchedTx } from "~db/batch.server";
import { newId } from "~/lib/ids";
import { isCurrencyCode, maxMinorUnits } from "~/lib/money";
import { nextCutoff, type SettlementCalendar } from "~/modules/settlements/calendar";
import { chargePosting, computeFee } from "~/modules/ledger/postings";
import { ledgerPostingCtesTemplate, ledgerPostingValues, postLedgerTransaction } from "~/modules/ledger/ledger.server";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError, type CardDetails, type CardToken } from "~/modules/processors/types";
import { failure, pgCode, type Result } from "./failure";
import type { Scope } from "~/lib/vocabulary";

export type { Scope };

export type Payment = typeof payments.$inferSelect;

/** What a payment shown on one line reads (the virtual terminal's recent payments, a link's payments): the money, the card, when. */
export const PAYMENT_LINE_COLUMNS = {
  id: payments.id,
  status: payments.status,
  amount: payments.amount,
  currency: payments.currency,
  cardBin: payments.cardBin,
  cardLast4: payments.cardLast4,
  cardBrand: payments.cardBrand,
  createdAt: payments.createdAt,
};
export type Merchant = typeof merchants.$inferSelect;
export type PaymentStatus = Payment["status"];

export interface CreatePaymentInput {
  amount: bigint;
  currency: string;
  /** Card details (sent straight to the provider's vault, never stored here) ... */
  card?: CardDetails;
  /** ... or a token the provider issued earlier. */
  token?: string;
  description?: string | null;
  customerReference?: string | null;
  /** false: authorize only; capture later with capturePayment. Default true. */
  capture?: boolean;
  /** How the card was presented to the provider (see AuthorizeRequest.channel). */
  channel?: "ecommerce" | "moto" | "api" | "recurring";
  /** ecommerce: the cardholder authenticates on the provider's page and comes back here. */
  authentication?: { returnUrl: string; merchantName: string; locale: string };
}

export interface CreatePaymentOptions {
  terminalId: string;
  /**
   * The merchant and terminal as the caller already read them in this request (the API's
   * key lookup reads both): not read again.
   */
  preloaded?: {
    merchant: Merchant;
    terminal: { id: string; name: string; status: string };
    /** The card behind `input.token`, as the provider described it in this request (the virtual terminal checks it first). */
    card?: CardToken;
  };
  userId?: string | null;
  /** Unique per merchant: a second request with it returns the first payment. */
  idempotencyKey?: string | null;
  /** The payment link it is paid through (the hosted payment page). */
  paymentLinkId?: string | null;
  now?: Date;
  /**
   * One more statement for the usual capture's transaction (the API's stored idempotent
   * response: Attempt.storeIn), sent with it and committed with it, given the payment as
   * captured. The result says `storedWithCapture` when it committed; any other outcome does
   * not send it.
   */
  withCapture?: (tx: Tx, captured: Payment) => Promise<unknown>;
}

export const DESCRIPTION_MAX = 500;
export const CUSTOMER_REFERENCE_MAX = 200;

// ---- helpers ----------------------------------------------------------------------

export async function loadMerchant(scope: Scope, dbx: DbOrTx = db()): Promise<Merchant | undefined> {
  const [m] = await dbx.select().from(merchants).where(eq(merchants.id, scope.merchantId));
  return m;
}

/**
 * The settlement calendar as far as available_on needs it. nextCutoff depends only on
 * the time zone and the cutoff time (holidays move payouts' arrival, not when captured
 * money becomes available), so holidays are not loaded on this hot path.
 */
export function calendarOf(m: Merchant): SettlementCalendar {
  return {
    timeZone: m.timeZone,
    cutoff: m.settlementCutoff,
    delayDays: m.settlementDelayDays,
    weekendDays: m.weekendDays,
    holidays: new Set(),
  };
}

/** Reads a payment under its row lock (FOR UPDATE), in the caller's transaction. */
export async function lockPayment(tx: Tx, scope: Scope, id: string): Promise<Payment | undefined> {
  const [p] = await tx
    .select()
    .from(payments)
    .where(and(eq(payments.merchantId, scope.merchantId), eq(payments.id, id)))
    .for("update")
    .prepare("payment_lock")
    .execute();
  return p;
}

export async function getPayment(scope: Scope, id: string, dbx: DbOrTx = db()): Promise<Payment | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const [p] = await dbx
    .select()
    .from(payments)
    .where(and(eq(payments.merchantId, scope.merchantId), eq(payments.id, id)))
    .prepare("payment_by_id")
    .execute();
  return p;
}

export function refundableOf(p: Pick<Payment, "status" | "amount" | "amountRefunded">): bigint {
  return p.status === "captured" ? p.amount - p.amountRefunded : 0n;
}

function validateAmount(amount: bigint, currency: string) {
  if (typeof amount !== "bigint") return failure(400, "amount_invalid", "Amount must be a whole number of minor units.", "amount");
  if (amount <= 0n) return failure(400, "amount_invalid", "Amount must be greater than zero.", "amount");
  if (isCurrencyCode(currency) && amount > maxMinorUnits(currency)) {
    return failure(400, "amount_too_large", `Amount must be at most ${maxMinorUnits(currency)} minor units of ${currency}.`, "amount");
  }
  // bigint column: never let the database be the one to refuse it.
  if (amount > 9_000_000_000_000_000_000n) return failure(400, "amount_too_large", "Amount is too large.", "amount");
  return null;
}

// ---- outcomes -----------------------------------------------------------------------

/** What the provider said about an authorization, from its answer or from inquiry. */
export type AuthorizationOutcome =
  | { kind: "captured"; providerReference: string }
  | { kind: "authorized"; providerReference: string }
  | { kind: "declined"; providerReference: string | null; declineCode: string; message: string }
  | { kind: "failed"; providerReference: string | null; code: string; message: string }
  | { kind: "voided"; providerReference: string };

/**
 * Applies an outcome to a payment under a row lock. A payment only moves forward
 * (pending -> authorized/captured/declined/failed/voided; authorized -> captured/voided);
 * an outcome that arrives after another path already moved it is ignored, which is
 * what makes the request path and the reconciliation job safe to race.
 */
export async function applyAuthorizationOutcome(
  scope: Scope,
  paymentId: string,
  outcome: AuthorizationOutcome,
  now: Date = new Date(),
  /**
   * The payment as the caller wrote it (pending) and its merchant: the request that made
   * the payment applies its answer without reading either again. Its update then only
   * applies to a row still pending; if another path (the inquiry job) moved it meanwhile,
   * nothing is written and the outcome goes the locking way below.
   */
  known?: { payment: Payment; merchant: Merchant; withCapture?: CaptureExtra },
): Promise<Payment | undefined> {
  if (known && known.payment.id === paymentId && known.payment.status === "pending") {
    if (outcome.kind === "captured") {
      const captured = await captureKnown(known.payment, known.merchant, outcome.providerReference, now, known.withCapture);
      if (captured) return captured;
      return applyOutcome(scope, paymentId, outcome, now);
    }
    try {
      return await applyOutcome(scope, paymentId, outcome, now, known);
    } catch (e) {
      if (!(e instanceof MovedOn)) throw e;
    }
  }
  return applyOutcome(scope, paymentId, outcome, now);
}

/** captureKnown's statement, built once per process and number of postings (db/prepared.server.ts). */
const captureStatement = preparedSql<{ n: number | string }>(
  (lines) => sql`with upd as (
      update payments set status = 'captured', fee = ${sql.placeholder("fee")}::bigint, provider_reference = ${sql.placeholder("reference")},
        authorized_at = coalesce(authorized_at, ${sql.placeholder("at")}::timestamptz), captured_at = ${sql.placeholder("at")}::timestamptz,
        updated_at = ${sql.placeholder("at")}::timestamptz
      where merchant_id = ${sql.placeholder("merchant")} and id = ${sql.placeholder("payment")} and status = 'pending'
      returning 1
    ), ${ledgerPostingCtesTemplate(Number(lines), sql`exists (select 1 from upd)`)}
    select 1 / (select count(*) from upd)::int as n`,
);

/**
 * SQLSTATE of the capture statement's guard: a row no longer pending makes its last line a
 * division by zero, which aborts the transaction (its event and stored response with it).
 */
const CAPTURE_REFUSED = "22012";

/** The payment's insert, built once per process: a payment has thirty columns, rendering them per request was measurable. */
const insertPayment = preparedOnce((d) => {
  const v = <K extends string>(k: K) => sql.placeholder(k);
  return d
    .insert(payments)
    .values({
      merchantId: v("merchantId"),
      id: v("id"),
      terminalId: v("terminalId"),
      amount: v("amount"),
      currency: v("currency"),
      status: "pending",
      cardToken: v("cardToken"),
      cardBrand: v("cardBrand"),
      cardFunding: v("cardFunding"),
      cardBin: v("cardBin"),
      cardLast4: v("cardLast4"),
      cardExpMonth: v("cardExpMonth"),
      cardExpYear: v("cardExpYear"),
      issuerBank: v("issuerBank"),
      processorId: v("processorId"),
      description: v("description"),
      customerReference: v("customerReference"),
      paymentLinkId: v("paymentLinkId"),
      idempotencyKey: v("idempotencyKey"),
      createdByUserId: v("createdByUserId"),
      createdAt: v("createdAt"),
      updatedAt: v("updatedAt"),
    })
    .returning()
    .prepare("payment_insert");
});

/**
 * The usual end of a payment (approved and captured): its status, its fee and its ledger
 * charge in one statement, so one round trip and one commit; the rollups follow by
 * triggers on both. Only a row still pending is moved (undefined otherwise, and nothing
 * was written). Its payment.succeeded event follows in the same transaction (see below).
 */
async function captureKnown(p: Payment, merchant: Merchant, providerReference: string, now: Date, extra?: CaptureExtra): Promise<Payment | undefined> {
  const fee = computeFee(p.amount, { feeBps: merchant.feeBps, feeFixed: merchant.feeFixed });
  const at = now.toISOString();
  const charge = captureCharge(p, merchant, fee, now);
  const captured: Payment = { ...p, status: "captured", fee, providerReference, authorizedAt: p.authorizedAt ?? now, capturedAt: now, updatedAt: now };
  // The capture statement, then its event as the transaction's last statement: the merchant's
  // event sequence row is locked after the rollup triggers' rows, in every writer, so no two
  // writers wait on each other in a cycle (as CTEs of the one statement it deadlocked).
  // BEGIN, both statements (and the caller's extra one) and COMMIT are sent together
  // (pipelinedTx: one round trip); the server still runs them one after the other, in this
  // order. If the capture found the row no longer pending, its guard fails the statement
  // (CAPTURE_REFUSED), the ones after it fail with it and the COMMIT is answered ROLLBACK:
  // nothing of it is written, and the caller goes the locking way. Concurrent payments'
  // captures may share this transaction and its commit (batchedTx, db/batch.server.ts): a
  // refused guard there reruns each alone, so only this one is refused, as without batching.
  try {
    await batchedTx(
      db(),
      "capture",
      batchOrder(p),
      (tx) => [
        captureStatement(
          tx,
          { ...ledgerPostingValues(charge), fee: fee.toString(), reference: providerReference, at, merchant: p.merchantId, payment: p.id },
          String(charge.postings.length),
        ),
        recordEvent(tx, p.merchantId, "payment.succeeded", serializePayment(captured)),
        ...(extra ? [extra.statement(tx, captured)] : []),
      ],
    );
    if (extra) extra.committed = true;
    return captured;
  } catch (e) {
    if (pgCode(e) === CAPTURE_REFUSED) return undefined;
    throw e;
  }
}

/**
 * Where a payment goes in a batched transaction (db/batch.server.ts): by the keys of the rollup
 * rows its triggers update, so two batches take those rows' locks in the same order.
 */
function batchOrder(p: Payment): string {
  return [p.merchantId, p.terminalId, p.currency, p.cardBrand, p.issuerBank, p.cardFunding, p.id].join("|");
}

/** The ledger charge of a payment captured now: its amount and fee, available at the merchant's next settlement cutoff. */
function captureCharge(p: Payment, merchant: Merchant, fee: bigint, now: Date) {
  return chargePosting({
    id: newId("txn", now),
    merchantId: p.merchantId,
    currency: p.currency,
    createdAt: now,
    description: p.description,
    paymentId: p.id,
    amount: p.amount,
    fee,
    availableOn: nextCutoff(now, calendarOf(merchant)),
  });
}

/** A statement sent in the usual capture's transaction (CreatePaymentOptions.withCapture); `committed` is set when it was. */
interface CaptureExtra {
  statement: (tx: Tx, captured: Payment) => Promise<unknown>;
  committed: boolean;
}

/** The optimistic update found the payment no longer pending: rolled back, applied under the lock instead. */
class MovedOn extends Error {}

async function applyOutcome(
  scope: Scope,
  paymentId: string,
  outcome: AuthorizationOutcome,
  now: Date,
  known?: { payment: Payment; merchant: Merchant },
): Promise<Payment | undefined> {
  return db().transaction(async (tx) => {
    const p = known ? known.payment : await lockPayment(tx, scope, paymentId);
    if (!p) return undefined;
    const from = p.status;
    const allowed =
      from === "pending" || (from === "authorized" && (outcome.kind === "captured" || outcome.kind === "voided"));
    if (!allowed) return p;
    const merchant = known ? known.merchant : await loadMerchant(scope, tx);
    if (!merchant) throw new Error(`merchant ${scope.merchantId} vanished`);
    // Known: the row must still be what the caller wrote (pending), else nothing is written.
    const stillFrom = known ? eq(payments.status, from) : undefined;
    const moved = <T>(row: T | undefined): T => {
      if (row === undefined && known) throw new MovedOn();
      return row as T;
    };

    switch (outcome.kind) {
      case "captured": {
        const fee = computeFee(p.amount, { feeBps: merchant.feeBps, feeFixed: merchant.feeFixed });
        const [updated] = await tx
          .update(payments)
          .set({
            status: "captured",
            fee,
            providerReference: outcome.providerReference,
            authorizedAt: p.authorizedAt ?? now,
            capturedAt: now,
            updatedAt: now,
          })
          .where(and(eq(payments.merchantId, p.merchantId), eq(payments.id, p.id), stillFrom))
          .returning()
          .prepare("payment_captured")
          .execute();
        moved(updated);
        await postLedgerTransaction(tx, captureCharge(p, merchant, fee, now));
        if (updated) await recordEvent(tx, p.merchantId, "payment.succeeded", serializePayment(updated));
        return updated;
      }
      case "authorized": {
        const [updated] = await tx
          .update(payments)
          .set({ status: "authorized", providerReference: outcome.providerReference, authorizedAt: now, updatedAt: now })
          .where(and(eq(payments.merchantId, p.merchantId), eq(payments.id, p.id), stillFrom))
          .returning()
          .prepare("payment_authorized")
          .execute();
        moved(updated);
        if (updated) await recordEvent(tx, p.merchantId, "payment.authorized", serializePayment(updated));
        return updated;
      }
      case "voided": {
        const [updated] = await tx
          .update(payments)
          .set({ status: "voided", providerReference: outcome.providerReference, voidedAt: now, updatedAt: now })
          .where(and(eq(payments.merchantId, p.merchantId), eq(payments.id, p.id), stillFrom))
          .returning();
        moved(updated);
        if (updated) await recordEvent(tx, p.merchantId, "payment.voided", serializePayment(updated));
        return updated;
      }
      case "declined":
      case "failed": {
        const code = outcome.kind === "declined" ? outcome.declineCode : outcome.code;
        const [updated] = await tx
          .update(payments)
          .set({
            status: outcome.kind,
            providerReference: outcome.providerReference ?? p.providerReference,
            declineCode: code,
            failureMessage: outcome.message,
            updatedAt: now,
          })
          .where(and(eq(payments.merchantId, p.merchantId), eq(payments.id, p.id), stillFrom))
          .returning()
          .prepare("payment_declined")
          .execute();
        moved(updated);
        if (updated) await recordEvent(tx, p.merchantId, outcome.kind === "declined" ? "payment.declined" : "payment.failed", serializePayment(updated));
        return updated;
      }
    }
  });
}

// ---- create -------------------------------------------------------------------------

/** The card a payment is charged to, as the payment row keeps it. Unknown details take the columns' defaults. */
export interface PaymentCard {
  token: string;
  brand: Payment["cardBrand"];
  last4: Payment["cardLast4"];
  expMonth: Payment["cardExpMonth"];
  expYear: Payment["cardExpYear"];
  funding?: Payment["cardFunding"];
  bin?: Payment["cardBin"];
  issuerBank?: Payment["issuerBank"];
}

/** What a new payment is for; the rest of its row follows from its being new. */
export interface NewPayment {
  merchantId: string;
  id: string;
  terminalId: string;
  amount: bigint;
  currency: string;
  card: PaymentCard;
  processorId: string;
  description?: string | null;
  customerReference?: string | null;
  paymentLinkId?: string | null;
  customerId?: string | null;
  invoiceId?: string | null;
  idempotencyKey?: string | null;
  createdByUserId?: string | null;
}

/**
 * A payment's row as it is first written, before the provider is asked (every payment:
 * the API and the console's, a subscription's renewal attempt): pending, nothing refunded,
 * no fee and no provider answer yet. Every column is given (none is left to a default), so
 * its payment.created event can be built from it before the insert returns.
 */
export function pendingPayment(n: NewPayment, now: Date): Payment {
  return {
    merchantId: n.merchantId,
    id: n.id,
    terminalId: n.terminalId,
    amount: n.amount,
    currency: n.currency,
    status: "pending",
    amountRefunded: 0n,
    fee: 0n,
    cardToken: n.card.token,
    cardBrand: n.card.brand,
    cardFunding: n.card.funding ?? "unknown",
    cardBin: n.card.bin ?? null,
    cardLast4: n.card.last4,
    cardExpMonth: n.card.expMonth,
    cardExpYear: n.card.expYear,
    issuerBank: n.card.issuerBank ?? "",
    processorId: n.processorId,
    providerReference: null,
    declineCode: null,
    failureMessage: null,
    description: n.description ?? null,
    customerReference: n.customerReference ?? null,
    paymentLinkId: n.paymentLinkId ?? null,
    customerId: n.customerId ?? null,
    invoiceId: n.invoiceId ?? null,
    idempotencyKey: n.idempotencyKey ?? null,
    createdByUserId: n.createdByUserId ?? null,
    createdAt: now,
    authorizedAt: null,
    capturedAt: null,
    voidedAt: null,
    updatedAt: now,
  };
}

export type CreatePaymentResult = Result<{
  payment: Payment;
  replayed: boolean;
  /** The options' withCapture statement was committed with the capture. */
  storedWithCapture?: boolean;
  /** The cardholder must authenticate on the provider's page (the payment stays pending meanwhile). */
  nextAction?: { redirectUrl: string };
}>;

export async function createPayment(
  scope: Scope,
  input: CreatePaymentInput,
  opts: CreatePaymentOptions,
): Promise<CreatePaymentResult> {
  const now = opts.now ?? new Date();
  const merchant = opts.preloaded?.merchant.id === scope.merchantId ? opts.preloaded.merchant : await loadMerchant(scope);
  if (!merchant) return failure(404, "merchant_not_found", "Unknown merchant.");
  if (merchant.status !== "active") {
    // Say why, in the words of the onboarding checklist (bank account missing, no provider...).
    const readiness = await paymentReadiness(scope);
    const why = !readiness.ready ? readiness.reason : "This merchant account is not active.";
    return failure(403, "merchant_not_active", `${why} Payments can be taken once the account is active.`, null, "permission_error");
  }

  const currency = String(input.currency ?? "").toUpperCase();
  if (currency !== merchant.currency) {
    return failure(400, "currency_mismatch", `Currency must be ${merchant.currency}, this merchant's currency.`, "currency");
  }
  const bad = validateAmount(input.amount, currency);
  if (bad) return bad;
  const description = input.description?.trim() || null;
  if (description && description.length > DESCRIPTION_MAX) {
    return failure(400, "description_too_long", `Description must be at most ${DESCRIPTION_MAX} characters.`, "description");
  }
  const customerReference = input.customerReference?.trim() || null;
  if (customerReference && customerReference.length > CUSTOMER_REFERENCE_MAX) {
    return failure(400, "customer_reference_too_long", `Customer reference must be at most ${CUSTOMER_REFERENCE_MAX} characters.`, "customer_reference");
  }
  if (opts.idempotencyKey && opts.idempotencyKey.length > 400) {
    return failure(400, "idempotency_key_too_long", "Idempotency key is too long.", "idempotency_key");
  }

  const [terminal] =
    opts.preloaded?.terminal.id === opts.terminalId
      ? [opts.preloaded.terminal]
      : await db()
          .select({ id: terminals.id, name: terminals.name, status: terminals.status })
          .from(terminals)
          .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.id, opts.terminalId)));
  if (!terminal) return failure(400, "terminal_not_found", "Unknown terminal.", "terminal");
  if (terminal.status !== "active") {
    return failure(403, "terminal_inactive", `Terminal "${terminal.name}" is deactivated and cannot take payments.`, "terminal", "permission_error");
  }

  // A repeated idempotency key is found by the payment's own unique key on insert (below),
  // not looked up first: a payment costs one statement less, a retry one vault entry more.

  const processor = processorFor(merchant.processorId);
  let card: CardToken;
  try {
    if (input.card) {
      const t = await processor.tokenize(input.card, { forPayment: true });
      if (!t.ok) return failure(400, t.code, t.message, t.param, "card_error");
      card = t.card;
    } else if (input.token) {
      const described = opts.preloaded?.card?.token === input.token ? opts.preloaded.card : await processor.describeToken(input.token);
      if (!described) return failure(400, "token_not_found", "Unknown card token: tokenize the card first.", "token");
      card = described;
    } else {
      return failure(400, "card_missing", "Give the card details (card) or a card token (token).", "card");
    }
  } catch (e) {
    if (e instanceof ProcessorTimeoutError) {
      return failure(503, "provider_unavailable", "The provider did not answer in time. Nothing was charged; try again.", null, "api_error");
    }
    throw e;
  }

  const paymentId = newId("pay", now);
  // The row as the insert writes it (no column is left to a default the event would need):
  // its payment.created event is built from it before the insert is sent, so both go in
  // one round trip (db/prepared.server.ts, pipelinedTx).
  const pending = pendingPayment(
    {
      merchantId: scope.merchantId,
      id: paymentId,
      terminalId: terminal.id,
      amount: input.amount,
      currency,
      card,
      processorId: processor.id,
      description,
      customerReference,
      paymentLinkId: opts.paymentLinkId,
      idempotencyKey: opts.idempotencyKey,
      createdByUserId: opts.userId,
    },
    now,
  );
  let inserted: Payment;
  try {
    // The insert and its payment.created event in one transaction (the rollups by triggers),
    // BEGIN, both statements and COMMIT sent together. A repeated idempotency key fails the
    // insert (23505), the event after it fails with it, and nothing is written. Concurrent
    // payments' inserts may share the transaction (batchedTx); a batch that fails is rerun
    // one by one, so the repeated key fails only its own insert, with the same 23505.
    const [[row]] = await batchedTx(db(), "payment_insert", batchOrder(pending), (tx) => [
      // pending has every placeholder of the insert (and more, which it ignores).
      insertPayment(tx, pending) as Promise<Payment[]>,
      recordEvent(tx, scope.merchantId, "payment.created", serializePayment(pending)),
    ]);
    if (!row) throw new Error("payment insert returned nothing");
    inserted = row;
  } catch (e) {
    // Two requests with one key raced past the lookup: the first one's payment stands.
    if (pgCode(e) === "23505" && opts.idempotencyKey) {
      const existing = await findByIdempotencyKey(scope, opts.idempotencyKey);
      if (existing) return replay(scope, existing, input);
    }
    throw e;
  }

  // The provider is asked outside any database transaction: no row lock or connection
  // is held while it answers.
  const outcome = await authorizeWithProvider(scope, inserted, input);
  if (!outcome) {
    // The outcome is unknown (timeout): the payment stays pending until inquiry settles it.
    await recordEvent(db(), scope.merchantId, "payment.pending", serializePayment(inserted));
    return { ok: true, payment: inserted, replayed: false };
  }
  if (outcome.kind === "action_required") return { ok: true, payment: inserted, replayed: false, nextAction: { redirectUrl: outcome.redirectUrl } };
  const withCapture: CaptureExtra | undefined = opts.withCapture ? { statement: opts.withCapture, committed: false } : undefined;
  const settled = await applyAuthorizationOutcome(scope, inserted.id, outcome, new Date(), { payment: inserted, merchant, withCapture });
  return { ok: true, payment: settled ?? inserted, replayed: false, ...(withCapture?.committed ? { storedWithCapture: true } : {}) };
}

/**
 * The same request again (same idempotency key). A payment still waiting for the
 * cardholder's authentication sends them back to the provider's page (the provider
 * answers a repeated reference with the same authorization, never a second one).
 */
async function replay(scope: Scope, existing: Payment, input: CreatePaymentInput): Promise<CreatePaymentResult> {
  if (existing.status === "pending" && input.authentication) {
    const outcome = await authorizeWithProvider(scope, existing, input);
    if (outcome?.kind === "action_required") return { ok: true, payment: existing, replayed: true, nextAction: { redirectUrl: outcome.redirectUrl } };
    if (outcome) return { ok: true, payment: (await applyAuthorizationOutcome(scope, existing.id, outcome)) ?? existing, replayed: true };
  }
  return { ok: true, payment: existing, replayed: true };
}

/** Calls the provider; undefined when the outcome is unknown (timeout or a broken call). */
export async function authorizeWithProvider(
  scope: Scope,
  p: Payment,
  input: Pick<CreatePaymentInput, "capture" | "channel" | "authentication">,
): Promise<AuthorizationOutcome | { kind: "action_required"; redirectUrl: string } | undefined> {
  const processor = processorFor(p.processorId);
  try {
    const r = await processor.authorize({
      account: scope.merchantId,
      reference: p.id,
      token: p.cardToken ?? "",
      amount: p.amount,
      currency: p.currency,
      capture: input.capture !== false,
      channel: input.channel ?? "api",
      ...(input.authentication ? { authentication: input.authentication } : {}),
    });
    if (r.outcome === "action_required") return { kind: "action_required", redirectUrl: r.redirectUrl };
    if (r.outcome === "approved") {
      return r.captured
        ? { kind: "captured", providerReference: r.providerReference }
        : { kind: "authorized", providerReference: r.providerReference };
    }
    if (r.outcome === "declined") {
      return { kind: "declined", providerReference: r.providerReference, declineCode: r.declineCode, message: r.message };
    }
    return { kind: "failed", providerReference: r.providerReference, code: r.code, message: r.message };
  } catch (e) {
    // Unknown outcome: the payment stays pending and reconciliation asks the provider.
    if (!(e instanceof ProcessorTimeoutError)) console.error(`authorize ${p.id}: provider call failed`, (e as Error).message);
    return undefined;
  }
}

export async function findByIdempotencyKey(scope: Scope, key: string): Promise<Payment | undefined> {
  const [p] = await db()
    .select()
    .from(payments)
    .where(and(eq(payments.merchantId, scope.merchantId), eq(payments.idempotencyKey, key)));
  return p;
}

// ---- capture / void -------------------------------------------------------------------

export type PaymentResult = Result<{ payment: Payment }>;

function notFound() {
  return failure(404, "payment_not_found", "No such payment.", "id");
}

export async function capturePayment(scope: Scope, paymentId: string): Promise<PaymentResult> {
  const p = await getPayment(scope, paymentId);
  if (!p) return notFound();
  if (p.status === "captured") {
    return failure(409, "payment_already_captured", "This payment has already been captured.", "id");
  }
  if (p.status !== "authorized" || !p.providerReference) {
    return failure(409, "payment_not_capturable", `Only an authorized payment can be captured; this one is ${p.status}.`, "id");
  }
  return settleAuthorization(scope, p, p.providerReference, "capture");
}

export async function voidPayment(scope: Scope, paymentId: string): Promise<PaymentResult> {
  const p = await getPayment(scope, paymentId);
  if (!p) return notFound();
  if (p.status === "voided") return failure(409, "payment_already_voided", "This payment has already been voided.", "id");
  if (p.status === "captured") {
    return failure(409, "payment_not_voidable", "A captured payment cannot be voided; refund it instead.", "id");
  }
  if (p.status !== "authorized" || !p.providerReference) {
    return failure(409, "payment_not_voidable", `Only an authorized payment can be voided; this one is ${p.status}.`, "id");
  }
  return settleAuthorization(scope, p, p.providerReference, "void");
}

const SETTLING = {
  capture: {
    outcome: "captured",
    refused: "provider_refused_capture",
    raced: "payment_not_capturable",
    timeout: "The provider did not confirm the capture in time. It stays authorized until the provider's answer is known; try again.",
  },
  void: {
    outcome: "voided",
    refused: "provider_refused_void",
    raced: "payment_not_voidable",
    timeout: "The provider did not confirm the void in time; try again.",
  },
} as const;

/**
 * Asks the provider to capture or void an authorized payment, then applies its answer. A
 * payment another path moved meanwhile is a 409 naming its state; an answer that does not
 * come in time is a 503 (the payment stays authorized until the answer is known).
 */
async function settleAuthorization(scope: Scope, p: Payment, authorization: string, action: keyof typeof SETTLING): Promise<PaymentResult> {
  const words = SETTLING[action];
  const processor = processorFor(p.processorId);
  try {
    const r =
      action === "capture"
        ? await processor.capture({ account: scope.merchantId, authorization, amount: p.amount })
        : await processor.void({ account: scope.merchantId, authorization });
    if (!r.ok) return failure(409, words.refused, `The provider refused the ${action}: ${r.message}`, "id");
    const updated = await applyAuthorizationOutcome(scope, p.id, { kind: words.outcome, providerReference: r.providerReference });
    if (updated && updated.status !== words.outcome) {
      return failure(409, words.raced, `The payment became ${updated.status} before the ${action} finished.`, "id");
    }
    return { ok: true, payment: updated ?? p };
  } catch (e) {
    if (e instanceof ProcessorTimeoutError) return failure(503, "provider_unavailable", words.timeout, null, "api_error");
    throw e;
  }
}

// ---- reading ----------------------------------------------------------------------------

export interface PaymentListFilters {
  status?: PaymentStatus[];
  terminalId?: string;
  createdGte?: Date;
  createdLt?: Date;
  last4?: string;
  customerReference?: string;
  /** Opaque cursor from a previous page (its next_cursor). */
  cursor?: string;
  limit?: number;
}

export function encodeCursor(p: { createdAt: Date; id: string }): string {
  return Buffer.from(`${p.createdAt.toISOString()}|${p.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  if (cursor.length > 200) return null;
  const raw = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([A-Za-z0-9_]{1,100})$/.exec(raw);
  if (!m) return null;
  const createdAt = new Date(m[1]!);
  if (Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id: m[2]! };
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listPayments(
  scope: Scope,
  f: PaymentListFilters,
): Promise<Result<{ payments: Payment[]; nextCursor: string | null }>> {
  const limit = Math.min(Math.max(f.limit ?? 20, 1), 100);
  const where: SQL[] = [eq(payments.merchantId, scope.merchantId)];
  if (f.status?.length) where.push(inArray(payments.status, f.status));
  if (f.terminalId) where.push(eq(payments.terminalId, f.terminalId));
  if (f.createdGte) where.push(gte(payments.createdAt, f.createdGte));
  if (f.createdLt) where.push(lt(payments.createdAt, f.createdLt));
  if (f.last4) where.push(eq(payments.cardLast4, f.last4));
  if (f.customerReference) where.push(eq(payments.customerReference, f.customerReference));
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    if (!c) return failure(400, "cursor_invalid", "The cursor is not one this API returned.", "cursor");
    where.push(or(lt(payments.createdAt, c.createdAt), and(eq(payments.createdAt, c.createdAt), lt(payments.id, c.id)))!);
  }
  const rows = await db()
    .select()
    .from(payments)
    .where(and(...where))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { ok: true, payments: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export type Refund = typeof refunds.$inferSelect;

export async function refundsOfPayment(scope: Scope, paymentId: string, dbx: DbOrTx = db()): Promise<Refund[]> {
  return dbx
    .select()
    .from(refunds)
    .where(and(eq(refunds.merchantId, scope.merchantId), eq(refunds.paymentId, paymentId)))
    .orderBy(refunds.createdAt, refunds.id);
}

