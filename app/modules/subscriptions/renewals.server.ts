/**
 * Renewals, charges and dunning: the work of the `subscription_renewals` job.
 *
 * Exactly once per period, and per attempt:
 * - A period's invoice is inserted under the subscription's row lock, and the UNIQUE
 *   (merchant_id, subscription_id, period_start) refuses a second one whatever happens.
 * - A charge attempt is claimed by one UPDATE of the invoice (attempt_count + 1, next_attempt_at
 *   null) in the same transaction that inserts its payment (pending, idempotency key
 *   invoice:<id>:<attempt>): a second worker finds nothing to claim, and a crash leaves either
 *   nothing or a pending payment.
 * - The provider is asked with the payment's id as its reference (a retry is the same
 *   authorization, never a second one). A lost answer leaves the payment pending; the
 *   reconciliation job asks the provider (never authorizes again) and the next run of this job
 *   settles the invoice from the payment's final state. A new attempt is only made after the
 *   previous one is known to have failed.
 */
import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { cardUpdates, invoices, merchants, paymentMethods, payments, plans, subscriptions } from "~db/schema";
import { db, rows, type Tx } from "~db/client.server";
import { addDaysKeepingTime, billingPeriod, type BillingCalendar } from "~/lib/billing-calendar";
import { newId } from "~/lib/ids";
import type { Client, Scope } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { recordEvent } from "~/modules/events/events.server";
import { serializePayment } from "~/modules/payments/serialize";
import { linkTerminal } from "~/modules/terminals/link-terminal.server";
import { applyAuthorizationOutcome, authorizeWithProvider, pendingPayment, type Payment, type PaymentCard } from "~/modules/payments/payments.server";
import { serializeInvoice, serializeSubscription, type Invoice, type Subscription } from "./serialize";
import { sendDunningNotice } from "./dunning-notices.server";
import { createSubscription, cycleOf, lockSubscription, type SubscriptionInput } from "./subscriptions.server";

type Merchant = typeof merchants.$inferSelect;

export interface RenewalSummary {
  invoicesCreated: number;
  attempts: number;
  paid: number;
  failed: number;
  uncollectible: number;
  canceled: number;
}

const emptySummary = (): RenewalSummary => ({ invoicesCreated: 0, attempts: 0, paid: 0, failed: 0, uncollectible: 0, canceled: 0 });

const RENEWING = ["scheduled", "trialing", "active", "past_due"] as const;

/** Runs everything due as of `now`: new periods' invoices, charge attempts, settling attempts whose outcome became known. */
export async function runRenewals(opts: { now?: Date; merchantIds?: string[]; limit?: number } = {}): Promise<RenewalSummary> {
  const now = opts.now ?? new Date();
  const limit = opts.limit ?? 500;
  const summary = emptySummary();
  const only = opts.merchantIds?.length ? inArray(subscriptions.merchantId, opts.merchantIds) : undefined;
  // 1. New periods.
  const due = await db()
    .select({ merchantId: subscriptions.merchantId, id: subscriptions.id })
    .from(subscriptions)
    .where(and(lte(subscriptions.nextRenewalAt, now), inArray(subscriptions.status, [...RENEWING]), only))
    .orderBy(asc(subscriptions.nextRenewalAt))
    .limit(limit);
  for (const s of due) {
    const r = await renewSubscription({ merchantId: s.merchantId }, s.id, now);
    summary.invoicesCreated += r.invoicesCreated;
    summary.canceled += r.canceled;
  }
  // 2. Attempts whose outcome is now known (answered late, or found by reconciliation).
  //    (The job runs finishPendingCardUpdates first: a customer's new card is saved before its invoice is settled.)
  const inFlight = await db()
    .select({ merchantId: invoices.merchantId, id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.status, "open"), isNull(invoices.nextAttemptAt), opts.merchantIds?.length ? inArray(invoices.merchantId, opts.merchantIds) : undefined))
    .limit(limit);
  for (const i of inFlight) count(summary, await settleInvoice({ merchantId: i.merchantId }, i.id, now));
  // 3. Charge attempts due (first tries and dunning retries).
  const attempts = await db()
    .select({ merchantId: invoices.merchantId, id: invoices.id })
    .from(invoices)
    .innerJoin(subscriptions, and(eq(subscriptions.merchantId, invoices.merchantId), eq(subscriptions.id, invoices.subscriptionId)))
    .where(and(inArray(invoices.status, ["draft", "open"]), lte(invoices.nextAttemptAt, now), sql`${subscriptions.status} <> 'paused'`, opts.merchantIds?.length ? inArray(invoices.merchantId, opts.merchantIds) : undefined))
    .orderBy(asc(invoices.nextAttemptAt))
    .limit(limit);
  for (const i of attempts) {
    const r = await chargeInvoice({ merchantId: i.merchantId }, i.id, now);
    if (r !== "not_due") summary.attempts++;
    count(summary, r);
  }
  return summary;
}

function count(summary: RenewalSummary, r: SettleResult | "not_due" | "in_flight") {
  if (r === "paid") summary.paid++;
  else if (r === "retry_scheduled") summary.failed++;
  else if (r === "uncollectible") {
    summary.failed++;
    summary.uncollectible++;
  }
}

/**
 * Creates the invoices of every period of one subscription that has started by `now`, under
 * its row lock (SKIP LOCKED: another worker holding it is doing this very work).
 */
export async function renewSubscription(scope: Scope, id: string, now: Date): Promise<{ invoicesCreated: number; canceled: number }> {
  return db().transaction(async (tx) => {
    const [locked] = await rows<{ id: string }>(
      tx,
      sql`select id from subscriptions where merchant_id = ${scope.merchantId} and id = ${id} for update skip locked`,
    );
    if (!locked) return { invoicesCreated: 0, canceled: 0 };
    let [s] = await tx.select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, id)));
    if (!s) return { invoicesCreated: 0, canceled: 0 };
    const [plan] = await tx.select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.id, s.planId)));
    let created = 0;
    // Catch up: a worker that was down for two periods bills both, each once.
    for (let guard = 0; guard < 1000; guard++) {
      if (!s.nextRenewalAt || s.nextRenewalAt.getTime() > now.getTime() || !(RENEWING as readonly string[]).includes(s.status)) break;
      if (s.cancelAtPeriodEnd && s.currentPeriodIndex !== null) {
        const ended = await saveSub(tx, s, { status: "canceled", endedAt: s.nextRenewalAt, nextRenewalAt: null, updatedAt: now });
        await recordEvent(tx, scope.merchantId, "subscription.canceled", serializeSubscription(ended), now);
        return { invoicesCreated: created, canceled: 1 };
      }
      const k = (s.currentPeriodIndex ?? -1) + 1;
      const period = billingPeriod(s.anchorAt, cycleOf(s), k, s.timeZone, s.calendar as BillingCalendar);
      // A plan change's credit is taken off this period's price first (what is left of it, the next period's).
      const subtotal = plan!.amount * BigInt(s.quantity);
      const credit = s.creditBalance < subtotal ? s.creditBalance : subtotal;
      const covered = credit === subtotal;
      const [inv] = await tx
        .insert(invoices)
        .values({
          merchantId: scope.merchantId,
          id: newId("in", period.start),
          subscriptionId: s.id,
          customerId: s.customerId,
          periodIndex: k,
          periodStart: period.start,
          periodEnd: period.end,
          status: covered ? "paid" : "draft",
          amount: subtotal - credit,
          creditApplied: credit,
          currency: plan!.currency,
          nextAttemptAt: covered ? null : period.start,
          ...(covered ? { paidAt: now, closedAt: now } : {}),
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (inv) {
        created++;
        await recordEvent(tx, scope.merchantId, "invoice.created", serializeInvoice(inv), now);
        if (covered) await recordEvent(tx, scope.merchantId, "invoice.paid", serializeInvoice(inv), now);
      }
      const wasStarting = s.status === "scheduled" || s.status === "trialing";
      s = await saveSub(tx, s, {
        ...(inv && credit > 0n ? { creditBalance: s.creditBalance - credit } : {}),
        status: wasStarting ? "active" : s.status,
        currentPeriodIndex: k,
        currentPeriodStart: period.start,
        currentPeriodEnd: period.end,
        nextRenewalAt: period.end,
        updatedAt: now,
      });
      if (wasStarting) await recordEvent(tx, scope.merchantId, "subscription.updated", serializeSubscription(s), now);
    }
    return { invoicesCreated: created, canceled: 0 };
  });
}

async function saveSub(tx: Tx, s: Subscription, set: Partial<Subscription>): Promise<Subscription> {
  const [row] = await tx
    .update(subscriptions)
    .set(set)
    .where(and(eq(subscriptions.merchantId, s.merchantId), eq(subscriptions.id, s.id)))
    .returning();
  return row!;
}

/** Locks the subscription an invoice belongs to (false: no such invoice). */
async function lockSubscriptionOf(tx: Tx, scope: Scope, invoiceId: string): Promise<boolean> {
  const r = await rows<{ id: string }>(
    tx,
    sql`select s.id from subscriptions s
        where s.merchant_id = ${scope.merchantId}
          and s.id = (select subscription_id from invoices where merchant_id = ${scope.merchantId} and id = ${invoiceId})
        for update of s`,
  );
  return r.length > 0;
}

export const attemptKey = (invoiceId: string, attempt: number) => `invoice:${invoiceId}:${attempt}`;

type SettleResult = "paid" | "retry_scheduled" | "uncollectible" | "in_flight" | "void";

/** The card an invoice attempt is charged to: a saved card (renewals) or the customer's new one (update-card page). */
export interface AttemptCard extends PaymentCard {
  processorId: string;
}

/**
 * The payment of an invoice's current attempt (inv.attemptCount, already claimed by the
 * caller in this transaction), pending until the provider answers, with the key
 * invoice:<id>:<attempt>: one payment per attempt, whoever makes it. Records payment.created.
 */
export async function insertAttemptPayment(tx: Tx, scope: Scope, inv: Invoice, planName: string, card: AttemptCard, now: Date): Promise<Payment> {
  const terminal = await linkTerminal(tx, scope.merchantId, now);
  const [payment] = await tx
    .insert(payments)
    .values(
      pendingPayment(
        {
          merchantId: scope.merchantId,
          id: newId("pay", now),
          terminalId: terminal.id,
          amount: inv.amount,
          currency: inv.currency,
          card,
          processorId: card.processorId,
          description: `${planName} (${inv.periodIndex + 1})`,
          customerId: inv.customerId,
          invoiceId: inv.id,
          idempotencyKey: attemptKey(inv.id, inv.attemptCount),
        },
        now,
      ),
    )
    .returning();
  await recordEvent(tx, scope.merchantId, "payment.created", serializePayment(payment!), now);
  return payment!;
}

/**
 * One charge attempt of an invoice, if one is due. Claiming it and writing its payment is
 * one transaction; the provider is called after the commit, holding no lock.
 */
export async function chargeInvoice(scope: Scope, invoiceId: string, now: Date): Promise<SettleResult | "not_due"> {
  const claimed = await db().transaction(async (tx) => {
    // Lock order everywhere: the subscription's row, then its invoice's.
    if (!(await lockSubscriptionOf(tx, scope, invoiceId))) return null;
    const [inv] = await tx
      .update(invoices)
      .set({ status: "open", attemptCount: sql`${invoices.attemptCount} + 1`, nextAttemptAt: null, updatedAt: now })
      .where(
        and(
          eq(invoices.merchantId, scope.merchantId),
          eq(invoices.id, invoiceId),
          inArray(invoices.status, ["draft", "open"]),
          lte(invoices.nextAttemptAt, now),
        ),
      )
      .returning();
    if (!inv) return null;
    const [s] = await tx.select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, inv.subscriptionId)));
    if (s!.status === "paused") throw new Error("unreachable: a paused subscription's invoice was claimed");
    const [merchant] = await tx.select().from(merchants).where(eq(merchants.id, scope.merchantId));
    const [plan] = await tx.select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.id, s!.planId)));
    const [pm] = s!.paymentMethodId
      ? await tx.select().from(paymentMethods).where(and(eq(paymentMethods.merchantId, scope.merchantId), eq(paymentMethods.id, s!.paymentMethodId), eq(paymentMethods.status, "active")))
      : [];
    if (!pm) {
      // Nothing to charge: a failed attempt without a payment (dunning asks for a card).
      const result = await attemptFailed(tx, inv, s!, merchant!, now, "no_payment_method", false);
      return { result, payment: undefined, merchant: undefined } as const;
    }
    const payment = await insertAttemptPayment(tx, scope, inv, plan!.name, {
      token: pm.cardToken,
      brand: pm.cardBrand as Payment["cardBrand"],
      last4: pm.cardLast4,
      expMonth: pm.cardExpMonth,
      expYear: pm.cardExpYear,
      processorId: pm.processorId,
    }, now);
    return { result: undefined, payment, merchant: merchant! } as const;
  });
  if (!claimed) return "not_due";
  if (!claimed.payment) return claimed.result;
  const outcome = await authorizeWithProvider(scope, claimed.payment, { capture: true, channel: "recurring" });
  if (outcome && outcome.kind !== "action_required") {
    await applyAuthorizationOutcome(scope, claimed.payment.id, outcome, now, { payment: claimed.payment, merchant: claimed.merchant });
  }
  // Unknown outcome (timeout): the payment stays pending; reconciliation settles it and a later run settles the invoice.
  return settleInvoice(scope, invoiceId, now);
}

/** Applies the latest attempt's final state to an open invoice whose attempt is in flight. */
export async function settleInvoice(scope: Scope, invoiceId: string, now: Date): Promise<SettleResult> {
  return db().transaction(async (tx) => {
    if (!(await lockSubscriptionOf(tx, scope, invoiceId))) return "in_flight";
    const [inv] = await tx
      .select()
      .from(invoices)
      .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, invoiceId)))
      .for("update");
    if (!inv || inv.status !== "open" || inv.nextAttemptAt !== null) return "in_flight";
    const [p] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.merchantId, scope.merchantId), eq(payments.idempotencyKey, attemptKey(inv.id, inv.attemptCount))));
    if (!p || p.status === "pending" || p.status === "authorized") return "in_flight";
    const [s] = await tx.select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, inv.subscriptionId)));
    if (p.status === "captured") {
      const [paid] = await tx
        .update(invoices)
        .set({ status: "paid", paymentId: p.id, paidAt: p.capturedAt ?? now, closedAt: now, updatedAt: now })
        .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, inv.id)))
        .returning();
      if (s!.status === "past_due" || s!.status === "unpaid") {
        const stillOpen = await tx
          .select({ id: invoices.id })
          .from(invoices)
          .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, s!.id), eq(invoices.status, "open")));
        if (stillOpen.length === 0) {
          const back = await saveSub(tx, s!, { status: "active", updatedAt: now });
          await recordEvent(tx, scope.merchantId, "subscription.updated", serializeSubscription(back), now);
        }
      }
      await recordEvent(tx, scope.merchantId, "invoice.paid", serializeInvoice(paid!), now);
      return "paid";
    }
    const [merchant] = await tx.select().from(merchants).where(eq(merchants.id, scope.merchantId));
    // The customer's own try on the update-card page: it does not use up a retry, and they know already.
    const [mine] = await tx.select({ id: cardUpdates.id }).from(cardUpdates).where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.paymentId, p.id)));
    return attemptFailed(tx, inv, s!, merchant!, now, p.declineCode ?? p.status, Boolean(mine));
  });
}

/**
 * A failed attempt: the next retry on the merchant's schedule (days after the first
 * failure, at the same local time), or, after the last, the invoice is uncollectible and the
 * subscription becomes what the merchant chose (canceled or unpaid).
 */
async function attemptFailed(tx: Tx, inv: Invoice, s: Subscription, merchant: Merchant, now: Date, reason: string, byCustomer: boolean): Promise<SettleResult> {
  const m = inv.merchantId;
  if (s.status === "canceled") {
    const [voided] = await tx.update(invoices).set({ status: "void", closedAt: now, updatedAt: now }).where(and(eq(invoices.merchantId, m), eq(invoices.id, inv.id))).returning();
    await recordEvent(tx, m, "invoice.voided", serializeInvoice(voided!), now);
    return "void";
  }
  const firstFailedAt = inv.firstFailedAt ?? now;
  const schedule = [...merchant.dunningRetryDays].sort((a, b) => a - b);
  // The job's attempts so far (the customer's own tries on the update-card page do not count):
  // retry n (1-based) is due schedule[n-1] days after the first failure. A failed try of the
  // customer's leaves the retry that was waiting where it was.
  const retryDays = schedule[inv.attemptCount - inv.customerAttempts - 1];
  if (retryDays !== undefined) {
    let next = addDaysKeepingTime(firstFailedAt, retryDays, merchant.timeZone);
    if (next.getTime() <= now.getTime()) next = new Date(now.getTime() + 60_000);
    const [open] = await tx
      .update(invoices)
      .set({ status: "open", firstFailedAt, nextAttemptAt: next, updatedAt: now })
      .where(and(eq(invoices.merchantId, m), eq(invoices.id, inv.id)))
      .returning();
    await recordEvent(tx, m, "invoice.payment_failed", { ...serializeInvoice(open!), failure_code: reason }, now);
    let current = s;
    if (s.status !== "past_due" && s.status !== "paused") {
      current = await saveSub(tx, s, { status: "past_due", updatedAt: now });
      await recordEvent(tx, m, "subscription.past_due", serializeSubscription(current), now);
    }
    if (!byCustomer) await sendDunningNotice(tx, open!, current, merchant, next, now);
    return "retry_scheduled";
  }
  const [closed] = await tx
    .update(invoices)
    .set({ status: "uncollectible", firstFailedAt, nextAttemptAt: null, closedAt: now, updatedAt: now })
    .where(and(eq(invoices.merchantId, m), eq(invoices.id, inv.id)))
    .returning();
  await recordEvent(tx, m, "invoice.payment_failed", { ...serializeInvoice(closed!), failure_code: reason }, now);
  await recordEvent(tx, m, "invoice.uncollectible", serializeInvoice(closed!), now);
  if (merchant.dunningFinalState === "unpaid") {
    const u = await saveSub(tx, s, { status: "unpaid", nextRenewalAt: null, updatedAt: now });
    await recordEvent(tx, m, "subscription.updated", serializeSubscription(u), now);
  } else {
    const c = await saveSub(tx, s, { status: "canceled", canceledAt: now, endedAt: now, nextRenewalAt: null, updatedAt: now });
    await recordEvent(tx, m, "subscription.canceled", serializeSubscription(c), now);
  }
  return "uncollectible";
}

/** Support's "retry now": the open invoice's next attempt is made at once. */
export async function retryInvoiceNow(scope: Scope, invoiceId: string, now = new Date(), by: { actor?: AppContext; client?: Client } = {}) {
  const inv = await db().transaction(async (tx) => {
    const [row] = await tx
      .update(invoices)
      .set({ nextAttemptAt: now, updatedAt: now })
      .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, invoiceId), eq(invoices.status, "open"), sql`${invoices.nextAttemptAt} is not null`))
      .returning();
    if (row && by.actor) await audit(tx, { actor: by.actor, action: "invoice.retry", outcome: "success", targetType: "invoice", targetId: row.id, details: { subscriptionId: row.subscriptionId, attempt: row.attemptCount + 1 }, client: by.client });
    return row;
  });
  if (!inv) return { ok: false as const, code: "invoice_not_retryable", message: "Only an open invoice waiting for its next retry can be retried now." };
  const result = await chargeInvoice(scope, invoiceId, now);
  return { ok: true as const, result };
}

/** The earliest renewal or charge attempt due after `after` (the simulated clock jumps to it), or null. */
export async function nextDueAt(after: Date, merchantIds?: string[]): Promise<Date | null> {
  const only = merchantIds?.length ? sql`and merchant_id in ${sql.raw(`(${merchantIds.map((m) => `'${m.replace(/'/g, "''")}'`).join(",")})`)}` : sql``;
  const [r] = await rows<{ at: string | Date | null }>(
    db(),
    sql`select least(
          (select min(next_renewal_at) from subscriptions where next_renewal_at > ${after.toISOString()}::timestamptz
             and status in ('scheduled', 'trialing', 'active', 'past_due') ${only}),
          (select min(next_attempt_at) from invoices where next_attempt_at > ${after.toISOString()}::timestamptz
             and status in ('draft', 'open') ${only})
        ) as at`,
  );
  return r?.at ? new Date(r.at) : null;
}

/**
 * A new card for a subscription (the customer's update link, or staff): it is used from now
 * on, and an open invoice waiting for its next retry is charged on it at once.
 */
export async function updateSubscriptionCard(scope: Scope, subscriptionId: string, paymentMethodId: string, now = new Date()) {
  const changed = await db().transaction(async (tx) => {
    const s = await lockSubscription(tx, scope, subscriptionId);
    if (!s) return { ok: false as const, code: "subscription_not_found", message: "No such subscription." };
    const [pm] = await tx
      .select()
      .from(paymentMethods)
      .where(and(eq(paymentMethods.merchantId, scope.merchantId), eq(paymentMethods.id, paymentMethodId)));
    if (!pm || pm.customerId !== s.customerId || pm.status !== "active") {
      return { ok: false as const, code: "payment_method_not_found", message: "The card must be one of this customer's saved cards." };
    }
    const row = await saveSub(tx, s, { paymentMethodId: pm.id, updatedAt: now });
    await recordEvent(tx, scope.merchantId, "subscription.updated", serializeSubscription(row), now);
    const waiting = await tx
      .update(invoices)
      .set({ nextAttemptAt: now, updatedAt: now })
      .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, s.id), eq(invoices.status, "open"), sql`${invoices.nextAttemptAt} is not null`))
      .returning({ id: invoices.id });
    return { ok: true as const, invoiceIds: waiting.map((w) => w.id) };
  });
  if (!changed.ok) return changed;
  const results: Record<string, string> = {};
  for (const id of changed.invoiceIds) results[id] = await chargeInvoice(scope, id, now);
  return { ok: true as const, charged: results };
}

/**
 * Creates a subscription and, when it starts now without a trial, bills its first period at
 * once (the same renewal and charge the job would run a minute later, so never twice).
 */
export async function startSubscription(scope: Scope, input: SubscriptionInput, opts: Parameters<typeof createSubscription>[2] = {}) {
  const now = opts.now ?? new Date();
  const r = await createSubscription(scope, input, { ...opts, now });
  if (!r.ok || r.replayed || r.subscription.anchorAt.getTime() > now.getTime()) return r;
  await renewSubscription(scope, r.subscription.id, now);
  const due = await db()
    .select({ id: invoices.id })
    .from(invoices)
    .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, r.subscription.id), inArray(invoices.status, ["draft", "open"]), lte(invoices.nextAttemptAt, now)));
  for (const i of due) await chargeInvoice(scope, i.id, now);
  const [fresh] = await db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, r.subscription.id)));
  return { ...r, subscription: fresh ?? r.subscription };
}
