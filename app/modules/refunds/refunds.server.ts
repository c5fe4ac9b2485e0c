/**
 * Refunds. The money is reserved before the provider is asked: one transaction locks
 * the payment row (SELECT ... FOR UPDATE), checks what is still refundable, raises
 * amount_refunded with a guarded UPDATE (the CHECK amount_refunded <= amount backs it),
 * inserts the pending refund and posts its ledger movement. Concurrent refunds of one
 * payment therefore queue on the row lock and can never add up to more than was
 * captured. If the provider then fails the refund, a second transaction reverses the
 * reservation with a refund_failure posting; a refund whose answer is lost stays
 * pending until reconciliation asks the provider.
 */
import { recordEvent } from "~/modules/events/events.server";
import { serializeRefund } from "~/modules/payments/serialize";
import { and, eq, sql } from "drizzle-orm";
import { payments, refunds } from "~db/schema";
import { db, type DbOrTx, type Tx } from "~db/client.server";
import { pipelinedTx, preparedSql } from "~db/prepared.server";
import { newId } from "~/lib/ids";
import { refundsUncapped, type Role } from "~/lib/permissions";
import { REFUND_REASONS, type Actor, type RefundReason } from "~/lib/vocabulary";
import { audit } from "~/modules/audit/audit.server";
import { refundFailurePosting, refundPosting } from "~/modules/ledger/postings";
import { ledgerPostingCtesTemplate, ledgerPostingValues, postLedgerTransaction } from "~/modules/ledger/ledger.server";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError, type RefundResult } from "~/modules/processors/types";
import { failure, moneyText, pgCode, type Failure } from "~/modules/payments/failure";
import { getPayment, lockPayment, type Payment, type Scope } from "~/modules/payments/payments.server";

export type Refund = typeof refunds.$inferSelect;
export { REFUND_REASONS, type RefundReason } from "~/lib/vocabulary";

/*
 * Who issues a refund (an Actor) decides the cap and the audit trail, here and nowhere else:
 * - `member` (the console's refund form): capped by role (refundCapOf), every attempt audited
 *   as refund.create (after the refund, as one statement of its own);
 * - `terminal` (an API key, the merchant's own integration): not capped, no audit row: the
 *   refund.created event is written in the refund's own transaction (and the API's refund
 *   takes one round trip, docs/write-path.md);
 * - `system` (jobs, the demo generator, tests): not capped, not audited.
 */

/**
 * The support refund cap, the one place it is decided: the largest single refund a member
 * may issue (null: no cap). Support is capped at the merchant's per-refund limit; owners
 * and admins are not. issueRefund applies it to its actor inside the payment's row lock.
 */
export function refundCapOf(member: { role: Role; merchant: { supportRefundLimit: bigint } }): bigint | null {
  return refundsUncapped(member.role) ? null : member.merchant.supportRefundLimit;
}

/** The largest single refund this actor may issue (null: no cap). */
function capOf(actor: Actor): bigint | null {
  return actor.kind === "member" ? refundCapOf(actor.member) : null;
}

export const NOTE_MAX = 1000;

export interface IssueRefundInput {
  paymentId: string;
  /** Omitted: refund everything still refundable. */
  amount?: bigint | null;
  reason?: RefundReason | null;
  note?: string | null;
  /** Who asks: decides the cap and the audit row. */
  actor: Actor;
  /** Unique per merchant: the same key returns the first refund. */
  idempotencyKey?: string | null;
  now?: Date;
  /**
   * The payment as the caller just read it (the API reads it to parse the amount in its
   * currency): the refund is then tried in one round trip without locking and reading it
   * again, guarded in SQL; anything the guard refuses goes the locking way (reserve).
   */
  known?: Payment;
  /**
   * One more statement for the usual success's transaction (the API's stored idempotent
   * response: Attempt.storeIn), sent and committed with it, given the refund as succeeded.
   * The result says `storedWithSuccess` when it committed; any other outcome does not send it.
   */
  withSuccess?: (tx: Tx, succeeded: Refund) => Promise<unknown>;
}

export type RefundFailure = Failure & { refundable?: bigint };

export type IssueRefundResult =
  | { ok: true; refund: Refund; payment: Payment; replayed: boolean; /** IssueRefundInput.withSuccess was committed with the success. */ storedWithSuccess?: boolean }
  | { ok: false; error: RefundFailure };

function refundFail(f: { ok: false; error: Failure }, refundable?: bigint): { ok: false; error: RefundFailure } {
  return refundable === undefined ? f : { ok: false, error: { ...f.error, refundable } };
}

/**
 * The payment's refunded amount, the refund and its ledger movement in one statement, built
 * once per process (db/prepared.server.ts). Its guard repeats the checks in SQL (captured,
 * never more than captured); the last line divides by zero when the guard refused it, so the
 * statement fails and, when pipelined, the transaction with it (its event too): the
 * caller sees SQLSTATE 22012 (GUARD_REFUSED) and goes the locking way.
 */
const reserveStatement = preparedSql<{ ok: number | string; refunded: number | string | bigint }>(
  (lines) => sql`with upd as (
      update payments set amount_refunded = amount_refunded + ${sql.placeholder("amount")}::bigint, updated_at = ${sql.placeholder("at")}::timestamptz
      where merchant_id = ${sql.placeholder("merchant")} and id = ${sql.placeholder("payment")} and status = 'captured'
        and amount_refunded + ${sql.placeholder("amount")}::bigint <= amount
      returning amount_refunded
    ), ins as (
      insert into refunds (merchant_id, id, payment_id, amount, currency, reason, note, status, idempotency_key,
        created_by_user_id, created_at, updated_at)
      select ${sql.placeholder("merchant")}, ${sql.placeholder("id")}, ${sql.placeholder("payment")}, ${sql.placeholder("amount")}::bigint,
        ${sql.placeholder("currency")}, ${sql.placeholder("reason")}::refund_reason, ${sql.placeholder("note")}::text, 'pending',
        ${sql.placeholder("key")}::text, ${sql.placeholder("user")}::text, ${sql.placeholder("at")}::timestamptz, ${sql.placeholder("at")}::timestamptz
      where exists (select 1 from upd)
    ), ${ledgerPostingCtesTemplate(Number(lines), sql`exists (select 1 from upd)`)}
    select 1 / (select count(*) from upd)::int as ok, (select amount_refunded from upd) as refunded`,
);

/** A succeeded refund's status (only from pending), failing with GUARD_REFUSED when it was no longer pending. */
const refundSucceededStatement = preparedSql<{ ok: number | string }>(
  () => sql`with upd as (
      update refunds set status = 'succeeded', provider_reference = ${sql.placeholder("reference")}::text, updated_at = ${sql.placeholder("at")}::timestamptz
      where merchant_id = ${sql.placeholder("merchant")} and id = ${sql.placeholder("id")} and status = 'pending'
      returning 1
    )
    select 1 / (select count(*) from upd)::int as ok`,
);

/** division_by_zero: a guarded statement above found its row not as expected (and wrote nothing). */
const GUARD_REFUSED = "22012";

type Reserved =
  | { kind: "reserved"; refund: Refund; payment: Payment }
  | { kind: "replayed"; refund: Refund; payment: Payment }
  | { kind: "refused"; error: { ok: false; error: RefundFailure } };

/**
 * The refund of a payment the caller has just read, in one round trip: BEGIN, the guarded
 * statement, its refund.created event and COMMIT sent together. undefined when the guard
 * refused it (the payment moved meanwhile, or is not refundable as asked): nothing was
 * written, and the locking way decides (and words the refusal).
 */
async function reserveKnown(scope: Scope, input: IssueRefundInput, p: Payment, now: Date): Promise<Reserved | undefined> {
  if (p.merchantId !== scope.merchantId || p.id !== input.paymentId || p.status !== "captured") return undefined;
  const amount = input.amount ?? p.amount - p.amountRefunded;
  if (amount <= 0n || p.amountRefunded + amount > p.amount) return undefined;
  const limit = capOf(input.actor);
  if (limit !== null && amount > limit) return undefined;
  const { refund, posting } = newRefund(scope, input, p, amount, now);
  try {
    const [[r]] = await pipelinedTx(db(), (tx) => [
      reserveStatement(tx, reserveValues(refund, posting, now), String(posting.postings.length)),
      // Last in the transaction: the merchant's event sequence row is locked after every
      // other lock (the rollup triggers'), so two writers never wait on each other in a cycle.
      recordEvent(tx, scope.merchantId, "refund.created", serializeRefund(refund)),
    ]);
    const refunded = r?.refunded === null || r?.refunded === undefined ? p.amountRefunded + amount : BigInt(r.refunded);
    return { kind: "reserved", refund, payment: { ...p, amountRefunded: refunded, updatedAt: now } };
  } catch (e) {
    if (pgCode(e) === GUARD_REFUSED) return undefined;
    throw e;
  }
}

/** A new refund of `amount` (pending) and the ledger movement that reserves its money. */
function newRefund(scope: Scope, input: IssueRefundInput, p: Payment, amount: bigint, now: Date) {
  const refund: Refund = {
    merchantId: scope.merchantId,
    id: newId("re", now),
    paymentId: p.id,
    amount,
    currency: p.currency,
    reason: input.reason ?? "requested_by_customer",
    note: input.note?.trim() || null,
    status: "pending",
    providerReference: null,
    failureCode: null,
    idempotencyKey: input.idempotencyKey ?? null,
    createdByUserId: input.actor.kind === "member" ? input.actor.member.user.id : null,
    createdAt: now,
    updatedAt: now,
  };
  const posting = refundPosting({
    id: newId("txn", now),
    merchantId: scope.merchantId,
    currency: p.currency,
    createdAt: now,
    description: `Refund of ${p.id}`,
    refundId: refund.id,
    amount,
  });
  return { refund, posting };
}

function reserveValues(refund: Refund, posting: Parameters<typeof ledgerPostingValues>[0], now: Date): Record<string, unknown> {
  return {
    ...ledgerPostingValues(posting),
    amount: refund.amount.toString(),
    at: now.toISOString(),
    merchant: refund.merchantId,
    payment: refund.paymentId,
    id: refund.id,
    currency: refund.currency,
    reason: refund.reason,
    note: refund.note,
    key: refund.idempotencyKey,
    user: refund.createdByUserId,
  };
}

async function reserve(scope: Scope, input: IssueRefundInput, now: Date): Promise<Reserved> {
  if (input.known) {
    const fast = await reserveKnown(scope, input, input.known, now);
    if (fast) return fast;
  }
  return db().transaction(async (tx): Promise<Reserved> => {
    const p = await lockPayment(tx, scope, input.paymentId);
    if (!p) return { kind: "refused", error: failure(404, "payment_not_found", "No such payment.", "payment") };
    // A repeated key is found when it matters: when this attempt is refused (below), or by
    // the refund's unique key on insert (issueRefund), not by a lookup on every refund.
    const replay = async (refused: Reserved): Promise<Reserved> => {
      if (!input.idempotencyKey) return refused;
      const prior = await findRefundByIdempotencyKey(scope, input.idempotencyKey, tx);
      return prior ? { kind: "replayed", refund: prior, payment: p } : refused;
    };
    if (p.status !== "captured") {
      const hint = p.status === "authorized" ? " Void it instead: nothing was captured." : "";
      return replay({
        kind: "refused",
        error: failure(409, "payment_not_captured", `Only a captured payment can be refunded; this one is ${p.status}.${hint}`, "payment"),
      });
    }
    const refundable = p.amount - p.amountRefunded;
    if (refundable <= 0n) {
      return replay({
        kind: "refused",
        error: refundFail(failure(409, "payment_fully_refunded", "This payment has already been refunded in full.", "amount"), 0n),
      });
    }
    const amount = input.amount ?? refundable;
    if (amount <= 0n) {
      return { kind: "refused", error: failure(400, "amount_invalid", "Refund amount must be greater than zero.", "amount") };
    }
    if (amount > refundable) {
      return replay({
        kind: "refused",
        error: refundFail(
          failure(
            400,
            "amount_exceeds_refundable",
            `Refund of ${moneyText(amount, p.currency)} exceeds the ${moneyText(refundable, p.currency)} still refundable on this payment.`,
            "amount",
            "invalid_request_error",
            { refundable: refundable.toString() },
          ),
          refundable,
        ),
      });
    }
    const limit = capOf(input.actor);
    if (limit !== null && amount > limit) {
      return replay({
        kind: "refused",
        error: failure(
          403,
          "amount_exceeds_limit",
          `Your role can refund at most ${moneyText(limit, p.currency)} at a time; ask an owner or administrator for this ${moneyText(amount, p.currency)} refund.`,
          "amount",
          "permission_error",
          { limit: limit.toString() },
        ),
      });
    }
    // The payment's refunded amount, the refund and its ledger movement in one statement. The
    // guard repeats the checks in SQL: correct even if the row lock were ever lost.
    const { refund, posting } = newRefund(scope, input, p, amount, now);
    // Refused by its guard (GUARD_REFUSED), the transaction fails: issueRefund answers 409.
    await reserveStatement(tx, reserveValues(refund, posting, now), String(posting.postings.length));
    const updated: Payment = { ...p, amountRefunded: p.amountRefunded + amount, updatedAt: now };
    // Last in the transaction: the merchant's event sequence row is locked after every other
    // lock (the rollup triggers'), so two writers never wait on each other in a cycle.
    await recordEvent(tx, scope.merchantId, "refund.created", serializeRefund(refund));
    return { kind: "reserved", refund, payment: updated };
  });
}

/**
 * Refunds a payment (all that is still refundable when no amount is given) as its actor
 * may: the cap and the audit trail are the actor's, the same for the form,
 * the API and the jobs.
 */
export async function issueRefund(scope: Scope, input: IssueRefundInput): Promise<IssueRefundResult> {
  const r = await refund(scope, input);
  const actor = input.actor;
  if (actor.kind === "member") {
    await audit(db(), {
      merchantId: scope.merchantId,
      actor,
      action: "refund.create",
      outcome: r.ok ? (r.refund.status === "failed" ? "failure" : "success") : "failure",
      targetType: r.ok ? "refund" : "payment",
      targetId: r.ok ? r.refund.id : input.paymentId,
      details: r.ok
        ? { paymentId: r.refund.paymentId, amount: r.refund.amount, currency: r.refund.currency, reason: r.refund.reason, status: r.refund.status }
        : { paymentId: input.paymentId, amount: input.amount ?? "remainder", code: r.error.code },
    });
  }
  return r;
}

async function refund(scope: Scope, input: IssueRefundInput): Promise<IssueRefundResult> {
  const now = input.now ?? new Date();
  if (typeof input.paymentId !== "string" || input.paymentId.length > 100) {
    return failure(404, "payment_not_found", "No such payment.", "payment");
  }
  if (input.amount !== undefined && input.amount !== null && input.amount <= 0n) {
    return failure(400, "amount_invalid", "Refund amount must be greater than zero.", "amount");
  }
  if (input.reason && !REFUND_REASONS.includes(input.reason)) {
    return failure(400, "reason_invalid", `Reason must be one of: ${REFUND_REASONS.join(", ")}.`, "reason");
  }
  if (input.note && input.note.length > NOTE_MAX) {
    return failure(400, "note_too_long", `The note must be at most ${NOTE_MAX} characters.`, "note");
  }
  if (input.idempotencyKey && input.idempotencyKey.length > 400) {
    return failure(400, "idempotency_key_too_long", "Idempotency key is too long.", "idempotency_key");
  }

  let reserved: Reserved;
  try {
    reserved = await reserve(scope, input, now);
  } catch (e) {
    // The same idempotency key raced in two transactions: the first refund stands.
    if (pgCode(e) === "23505" && input.idempotencyKey) {
      const prior = await findRefundByIdempotencyKey(scope, input.idempotencyKey);
      const payment = prior ? await getPayment(scope, prior.paymentId) : undefined;
      if (prior && payment) return { ok: true, refund: prior, payment, replayed: true };
    }
    // The CHECK on amount_refunded or the statement's guard refused it: another refund won the race.
    if (pgCode(e) === "23514" || pgCode(e) === GUARD_REFUSED) {
      return failure(409, "amount_exceeds_refundable", "Another refund of this payment just used the remaining amount.", "amount");
    }
    throw e;
  }
  if (reserved.kind === "refused") return reserved.error;
  if (reserved.kind === "replayed") return { ok: true, refund: reserved.refund, payment: reserved.payment, replayed: true };

  const result = await sendRefund(scope, reserved.refund, reserved.payment);
  if (!result) return { ok: true, refund: reserved.refund, payment: reserved.payment, replayed: false };
  const withSuccess = input.withSuccess ? { statement: input.withSuccess, committed: false } : undefined;
  const done = await completeRefund(scope, reserved.refund.id, result, new Date(), { payment: reserved.payment, refund: reserved.refund, withSuccess });
  return { ok: true, refund: done.refund, payment: done.payment, replayed: false, ...(withSuccess?.committed ? { storedWithSuccess: true } : {}) };
}

/** Asks the provider; undefined when its answer is unknown (the refund stays pending). */
export async function sendRefund(scope: Scope, refund: Refund, payment: Payment): Promise<RefundResult | undefined> {
  if (!payment.providerReference) {
    return { outcome: "failed", providerReference: null, code: "authorization_not_captured", message: "The payment has no provider reference." };
  }
  try {
    return await processorFor(payment.processorId).refund({
      account: scope.merchantId,
      reference: refund.id,
      authorization: payment.providerReference,
      amount: refund.amount,
    });
  } catch (e) {
    if (!(e instanceof ProcessorTimeoutError)) console.error(`refund ${refund.id}: provider call failed`, (e as Error).message);
    return undefined;
  }
}

/**
 * Applies the provider's answer to a pending refund. A failure returns the money to
 * the payment and the merchant's balance (refund_failure posting, negative rollup),
 * in one transaction; a refund that is no longer pending is left as it is.
 */
export async function completeRefund(
  scope: Scope,
  refundId: string,
  result: RefundResult,
  now: Date = new Date(),
  /**
   * The payment as the caller last read it, and the refund as it was written (pending): a
   * success only changes the refund, in one round trip.
   */
  known?: { payment: Payment; refund?: Refund; withSuccess?: { statement: (tx: Tx, succeeded: Refund) => Promise<unknown>; committed: boolean } },
): Promise<{ refund: Refund; payment: Payment }> {
  if (known?.refund && known.refund.id === refundId && known.refund.status === "pending" && result.outcome === "succeeded") {
    // The refund's money moved when it was reserved: success is its status alone, and only
    // from pending (whatever moved it first, e.g. reconciliation, stands). The row as it
    // will be is known, so its refund.succeeded event is sent with the update: BEGIN, both
    // and COMMIT in one round trip; a refund no longer pending fails the update's guard,
    // nothing is written, and the locking way below answers.
    const succeeded: Refund = { ...known.refund, status: "succeeded", providerReference: result.providerReference, updatedAt: now };
    try {
      await pipelinedTx(db(), (tx) => [
        refundSucceededStatement(tx, { reference: result.providerReference, at: now.toISOString(), merchant: scope.merchantId, id: refundId }),
        recordEvent(tx, scope.merchantId, "refund.succeeded", serializeRefund(succeeded)),
        ...(known.withSuccess ? [known.withSuccess.statement(tx, succeeded)] : []),
      ]);
      if (known.withSuccess) known.withSuccess.committed = true;
      return { refund: succeeded, payment: known.payment };
    } catch (e) {
      if (pgCode(e) !== GUARD_REFUSED) throw e;
    }
  } else if (known && result.outcome === "succeeded") {
    // The refund's money moved when it was reserved: success is its status alone, and only
    // from pending (whatever moved it first, e.g. reconciliation, stands).
    // With its refund.succeeded event, in one transaction (the event needs the row's JSON).
    const done = await db().transaction((tx) => markSucceeded(tx, scope, refundId, result.providerReference, now));
    if (done) return { refund: done, payment: known.payment };
  }
  return db().transaction(async (tx) => {
    const [peek] = await tx
      .select({ paymentId: refunds.paymentId })
      .from(refunds)
      .where(and(eq(refunds.merchantId, scope.merchantId), eq(refunds.id, refundId)));
    if (!peek) throw new Error(`refund ${refundId} not found`);
    // Lock order: payment, then refund (as in reserve), so the two never deadlock.
    const p = await lockPayment(tx, scope, peek.paymentId);
    const [r] = await tx
      .select()
      .from(refunds)
      .where(and(eq(refunds.merchantId, scope.merchantId), eq(refunds.id, refundId)))
      .for("update");
    if (!p || !r) throw new Error(`refund ${refundId} vanished`);
    if (r.status !== "pending") return { refund: r, payment: p };

    if (result.outcome === "succeeded") {
      const done = await markSucceeded(tx, scope, r.id, result.providerReference, now);
      return { refund: done ?? r, payment: p };
    }

    // The payment's row first, then the refund's: the rollup rows their triggers add into
    // are then taken in the order every other writer takes them (payments_daily, then
    // sales_daily), so concurrent writers of one merchant queue instead of deadlocking.
    const [payment] = await tx
      .update(payments)
      .set({ amountRefunded: sql`${payments.amountRefunded} - ${r.amount}`, updatedAt: now })
      .where(and(eq(payments.merchantId, p.merchantId), eq(payments.id, p.id)))
      .returning();
    const [failed] = await tx
      .update(refunds)
      .set({ status: "failed", providerReference: result.providerReference, failureCode: result.code, updatedAt: now })
      .where(and(eq(refunds.merchantId, r.merchantId), eq(refunds.id, r.id)))
      .returning();
    await postLedgerTransaction(
      tx,
      refundFailurePosting({
        id: newId("txn", now),
        merchantId: scope.merchantId,
        currency: r.currency,
        createdAt: now,
        description: `Refund ${r.id} failed: ${result.code}`,
        refundId: r.id,
        amount: r.amount,
      }),
    );
    if (failed) await recordEvent(tx, scope.merchantId, "refund.failed", serializeRefund(failed));
    return { refund: failed ?? r, payment: payment ?? p };
  });
}

/**
 * A pending refund's success, with its refund.succeeded event, in the caller's transaction:
 * its status alone (its money moved when it was reserved), and only from pending (undefined:
 * it was no longer pending, and whatever moved it first stands).
 */
async function markSucceeded(tx: Tx, scope: Scope, refundId: string, providerReference: string, now: Date): Promise<Refund | undefined> {
  const [row] = await tx
    .update(refunds)
    .set({ status: "succeeded", providerReference, updatedAt: now })
    .where(and(eq(refunds.merchantId, scope.merchantId), eq(refunds.id, refundId), eq(refunds.status, "pending")))
    .returning()
    .prepare("refund_succeeded")
    .execute();
  if (row) await recordEvent(tx, scope.merchantId, "refund.succeeded", serializeRefund(row));
  return row;
}

/** The refund a request with this idempotency key created, if any (crash recovery of API keys). */
export async function findRefundByIdempotencyKey(scope: Scope, key: string, dbx: DbOrTx = db()): Promise<Refund | undefined> {
  const [r] = await dbx
    .select()
    .from(refunds)
    .where(and(eq(refunds.merchantId, scope.merchantId), eq(refunds.idempotencyKey, key)));
  return r;
}

export async function getRefund(scope: Scope, id: string): Promise<Refund | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const [r] = await db()
    .select()
    .from(refunds)
    .where(and(eq(refunds.merchantId, scope.merchantId), eq(refunds.id, id)));
  return r;
}
