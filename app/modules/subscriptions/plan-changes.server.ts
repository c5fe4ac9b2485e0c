/**
 * Changing a subscription's plan (or quantity) in the middle of a period, with proration.
 *
 * The rule (one place, shared by the console's preview, the API's preview and the change):
 * - Only between plans of the same billing cycle (interval, count and calendar): the period
 *   and its renewal day stay as they are; the next period is billed on the new plan.
 * - What is left of the current period is measured in SECONDS: left = period_end - now,
 *   length = period_end - period_start, both instants computed in the merchant's zone and
 *   calendar when the period was made (so a Jalali month of 30 or 31 days and a New York
 *   month with a daylight-saving change are measured as they really are).
 * - proration = (new price × new quantity - old price × old quantity) × left / length, in
 *   minor units, rounded half away from zero (one rounding, on the difference).
 * - A positive proration is charged at once on the saved card: one invoice of kind
 *   'proration' for [now, period end), charged like a renewal (exactly once: the invoice's
 *   claimed attempt; dunning if it fails). A negative one is credited: it goes to the
 *   subscription's credit_balance and is taken off the next invoices (credit_applied).
 * - During a trial nothing is prorated (nothing was paid): the plan is switched.
 * - The change is idempotent with a key (the console's form id, the API's Idempotency-Key).
 */
import { and, eq } from "drizzle-orm";
import { invoices, plans, subscriptionPlanChanges, subscriptions } from "~db/schema";
import { db, type Tx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { failure, type Result, type Scope } from "~/lib/vocabulary";
import { audit } from "~/modules/audit/audit.server";
import { recordEvent } from "~/modules/events/events.server";
import { pgCode } from "~/modules/payments/failure";
import { chargeInvoice } from "./renewals.server";
import { serializeInvoice, serializeSubscription, type Invoice, type Plan, type Subscription } from "./serialize";
import type { WriteOptions } from "./subscriptions.server";

export type PlanChange = typeof subscriptionPlanChanges.$inferSelect;

export interface PlanChangeInput {
  planId?: unknown;
  /** Absent: the current quantity. */
  quantity?: unknown;
}

export interface PlanChangePreview {
  subscriptionId: string;
  fromPlan: Plan;
  toPlan: Plan;
  fromQuantity: number;
  toQuantity: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  changedAt: Date;
  secondsLeft: number;
  periodSeconds: number;
  oldTotal: bigint;
  newTotal: bigint;
  /** Signed, minor units: > 0 charged now, < 0 credited to the next invoices. */
  proration: bigint;
  currency: string;
  outcome: "charge" | "credit" | "none";
}

/** (a × b) / c rounded half away from zero, in integers. */
export function mulDivRound(a: bigint, b: bigint, c: bigint): bigint {
  const n = a * b;
  const q = n / c;
  const r = n % c;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= (c < 0n ? -c : c)) return q + ((n < 0n) !== (c < 0n) ? -1n : 1n);
  return q;
}

/** The proration of a change at `at` within [start, end): see the rule above. */
export function prorate(oldTotal: bigint, newTotal: bigint, start: Date, end: Date, at: Date): { secondsLeft: number; periodSeconds: number; proration: bigint } {
  const periodSeconds = Math.round((end.getTime() - start.getTime()) / 1000);
  const secondsLeft = Math.max(0, Math.min(periodSeconds, Math.floor((end.getTime() - at.getTime()) / 1000)));
  return { secondsLeft, periodSeconds, proration: mulDivRound(newTotal - oldTotal, BigInt(secondsLeft), BigInt(periodSeconds)) };
}

async function compute(dbx: Tx | ReturnType<typeof db>, scope: Scope, s: Subscription, input: PlanChangeInput, now: Date): Promise<Result<{ preview: PlanChangePreview }>> {
  if (!["active", "past_due", "trialing"].includes(s.status)) return failure(409, "subscription_not_changeable", `A ${s.status} subscription's plan cannot be changed.`, "id");
  const planId = String(input.planId ?? "");
  const [toPlan] = planId.length <= 100 ? await dbx.select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.id, planId))) : [];
  if (!toPlan) return failure(400, "plan_not_found", "Choose an existing plan (plan_id).", "plan_id");
  if (!toPlan.active) return failure(400, "plan_inactive", "This plan no longer takes new subscriptions.", "plan_id");
  const [fromPlan] = await dbx.select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.id, s.planId)));
  const toQuantity = input.quantity === undefined || input.quantity === null || input.quantity === "" ? s.quantity : Number(input.quantity);
  if (!Number.isInteger(toQuantity) || toQuantity < 1 || toQuantity > 10_000) return failure(400, "quantity_invalid", "Quantity must be a whole number from 1 to 10000.", "quantity");
  if (toPlan.interval !== s.interval || toPlan.intervalCount !== s.intervalCount || toPlan.calendar !== s.calendar) {
    return failure(400, "plan_cycle_mismatch", "The new plan must renew on the same cycle (interval, count and calendar); to change the cycle, cancel and subscribe again.", "plan_id");
  }
  if (toPlan.id === s.planId && toQuantity === s.quantity) return failure(400, "plan_unchanged", "This is the subscription's plan and quantity already.", "plan_id");
  const oldTotal = fromPlan!.amount * BigInt(s.quantity);
  const newTotal = toPlan.amount * BigInt(toQuantity);
  const inPeriod = s.status !== "trialing" && s.currentPeriodStart && s.currentPeriodEnd && s.currentPeriodStart.getTime() < now.getTime() && now.getTime() < s.currentPeriodEnd.getTime();
  const p = inPeriod ? prorate(oldTotal, newTotal, s.currentPeriodStart!, s.currentPeriodEnd!, now) : { secondsLeft: 0, periodSeconds: 0, proration: 0n };
  return {
    ok: true,
    preview: {
      subscriptionId: s.id,
      fromPlan: fromPlan!,
      toPlan,
      fromQuantity: s.quantity,
      toQuantity,
      periodStart: s.currentPeriodStart,
      periodEnd: s.currentPeriodEnd,
      changedAt: now,
      ...p,
      oldTotal,
      newTotal,
      currency: toPlan.currency,
      outcome: p.proration > 0n ? "charge" : p.proration < 0n ? "credit" : "none",
    },
  };
}

/** What the change would cost or credit now, without changing anything. */
export async function previewPlanChange(scope: Scope, subscriptionId: string, input: PlanChangeInput, now = new Date()): Promise<Result<{ preview: PlanChangePreview }>> {
  const [s] = await db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, String(subscriptionId).slice(0, 100))));
  if (!s) return failure(404, "subscription_not_found", "No such subscription.", "id");
  return compute(db(), scope, s, input, now);
}

export interface PlanChangeResult {
  change: PlanChange;
  subscription: Subscription;
  invoice: Invoice | null;
  replayed: boolean;
}

/** Makes the change (under the subscription's row lock) and charges a positive proration at once. */
export async function changePlan(
  scope: Scope,
  subscriptionId: string,
  input: PlanChangeInput,
  opts: WriteOptions = {},
): Promise<Result<PlanChangeResult>> {
  const now = opts.now ?? new Date();
  const key = opts.idempotencyKey ? String(opts.idempotencyKey).slice(0, 300) : null;
  const replay = async (): Promise<Result<PlanChangeResult> | null> => {
    if (!key) return null;
    const [c] = await db().select().from(subscriptionPlanChanges).where(and(eq(subscriptionPlanChanges.merchantId, scope.merchantId), eq(subscriptionPlanChanges.idempotencyKey, key)));
    if (!c) return null;
    const [s] = await db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, c.subscriptionId)));
    const [inv] = c.invoiceId ? await db().select().from(invoices).where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, c.invoiceId))) : [];
    return { ok: true, change: c, subscription: s!, invoice: inv ?? null, replayed: true };
  };
  const first = await replay();
  if (first) return first;
  let made: Result<{ change: PlanChange; subscription: Subscription; invoice: Invoice | null }>;
  try {
    made = await db().transaction(async (tx) => {
      const [s] = await tx
        .select()
        .from(subscriptions)
        .where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, String(subscriptionId).slice(0, 100))))
        .for("update");
      if (!s) return failure(404, "subscription_not_found", "No such subscription.", "id");
      const r = await compute(tx, scope, s, input, now);
      if (!r.ok) return r;
      const p = r.preview;
      let invoice: Invoice | null = null;
      if (p.proration > 0n) {
        const [ins] = await tx
          .insert(invoices)
          .values({
            merchantId: scope.merchantId,
            id: newId("in", now),
            subscriptionId: s.id,
            customerId: s.customerId,
            kind: "proration",
            periodIndex: s.currentPeriodIndex ?? 0,
            periodStart: now,
            periodEnd: s.currentPeriodEnd!,
            status: "draft",
            amount: p.proration,
            currency: p.currency,
            nextAttemptAt: now,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        invoice = ins ?? null;
      }
      const [row] = await tx
        .update(subscriptions)
        .set({ planId: p.toPlan.id, quantity: p.toQuantity, creditBalance: p.proration < 0n ? s.creditBalance - p.proration : s.creditBalance, updatedAt: now })
        .where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, s.id)))
        .returning();
      const [change] = await tx
        .insert(subscriptionPlanChanges)
        .values({
          merchantId: scope.merchantId,
          id: newId("spc", now),
          subscriptionId: s.id,
          fromPlanId: p.fromPlan.id,
          toPlanId: p.toPlan.id,
          fromQuantity: p.fromQuantity,
          toQuantity: p.toQuantity,
          periodStart: p.periodStart ?? now,
          periodEnd: p.periodEnd ?? now,
          changedAt: now,
          secondsLeft: p.secondsLeft,
          periodSeconds: p.periodSeconds,
          proration: p.proration,
          currency: p.currency,
          invoiceId: invoice?.id ?? null,
          idempotencyKey: key,
          createdByUserId: opts.actor?.user.id ?? null,
          createdAt: now,
        })
        .returning();
      if (opts.actor) {
        await audit(tx, {
          actor: opts.actor,
          action: "subscription.change_plan",
          outcome: "success",
          targetType: "subscription",
          targetId: s.id,
          details: { from: p.fromPlan.id, to: p.toPlan.id, fromQuantity: p.fromQuantity, toQuantity: p.toQuantity, proration: p.proration.toString() },
          client: opts.client,
        });
      }
      if (invoice) await recordEvent(tx, scope.merchantId, "invoice.created", serializeInvoice(invoice), now);
      await recordEvent(
        tx,
        scope.merchantId,
        "subscription.plan_changed",
        { ...serializeSubscription(row!), previous_plan_id: p.fromPlan.id, previous_quantity: p.fromQuantity, proration: p.proration.toString(), seconds_left: p.secondsLeft, period_seconds: p.periodSeconds, proration_invoice_id: invoice?.id ?? null },
        now,
      );
      return { ok: true as const, change: change!, subscription: row!, invoice };
    });
  } catch (e) {
    if (pgCode(e) === "23505" && key) {
      const again = await replay();
      if (again) return again;
    }
    throw e;
  }
  if (!made.ok) return made;
  let invoice = made.invoice;
  if (invoice) {
    await chargeInvoice(scope, invoice.id, now);
    const [fresh] = await db().select().from(invoices).where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, invoice.id)));
    invoice = fresh ?? invoice;
  }
  const [subscription] = await db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, made.subscription.id)));
  return { ok: true, change: made.change, subscription: subscription!, invoice: invoice ?? null, replayed: false };
}

export function serializePlanChangePreview(p: PlanChangePreview) {
  return {
    object: "plan_change_preview" as const,
    subscription_id: p.subscriptionId,
    from_plan_id: p.fromPlan.id,
    to_plan_id: p.toPlan.id,
    from_quantity: p.fromQuantity,
    to_quantity: p.toQuantity,
    period_start: p.periodStart?.toISOString() ?? null,
    period_end: p.periodEnd?.toISOString() ?? null,
    changed_at: p.changedAt.toISOString(),
    seconds_left: p.secondsLeft,
    period_seconds: p.periodSeconds,
    old_amount: p.oldTotal.toString(),
    new_amount: p.newTotal.toString(),
    proration: p.proration.toString(),
    currency: p.currency,
    outcome: p.outcome,
  };
}
