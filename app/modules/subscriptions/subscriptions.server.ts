/**
 * Plans and subscriptions: create, read, cancel (now or at the period's end), pause and
 * resume. Renewals, invoices and dunning are in renewals.server.ts; every period start is
 * computed by app/lib/billing-calendar from the subscription's anchor, in the merchant's
 * zone and calendar (Jalali months for IRR merchants by default).
 */
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { invoices, merchants, paymentMethods, payments, plans, subscriptions } from "~db/schema";
import { db, rows, type DbOrTx, type Tx } from "~db/client.server";
import {
  BILLING_INTERVALS,
  MAX_INTERVAL_COUNT,
  addDaysKeepingTime,
  billingPeriod,
  defaultBillingCalendar,
  periodIndexAt,
  type BillingCalendar,
  type BillingCycle,
  type BillingInterval,
} from "~/lib/billing-calendar";
import { newId } from "~/lib/ids";
import { maxMinorUnits, isCurrencyCode } from "~/lib/money";
import { SUBSCRIPTION_STATUSES, failure, type Client, type Result, type Scope, type SubscriptionStatus } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { recordEvent } from "~/modules/events/events.server";
import { createOnce } from "~/modules/payments/failure";
import { getCustomer } from "./customers.server";
import { pageBounds } from "./page";
import { serializeInvoice, serializePlan, serializeSubscription, type Invoice, type Plan, type Subscription } from "./serialize";

export type { Invoice, Plan, Subscription };

/* ---------------------------------- plans ---------------------------------- */

export interface PlanInput {
  name?: unknown;
  amount?: unknown;
  currency?: unknown;
  interval?: unknown;
  intervalCount?: unknown;
  calendar?: unknown;
  trialDays?: unknown;
}

/** Trial days as given (absent: `fallback`, the plan's own for a subscription): a whole number from 0 to 730. */
function trialDaysOf(raw: unknown, fallback: number): Result<{ days: number }> {
  const days = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(days) || days < 0 || days > 730) return failure(400, "trial_days_invalid", "Trial days must be a whole number from 0 to 730.", "trial_days");
  return { ok: true, days };
}

/** How a write is asked for: its Idempotency-Key, who asks (for the audit trail), from where, and when. */
export type WriteOptions = { idempotencyKey?: string | null; actor?: AppContext; client?: Client; now?: Date };

export async function createPlan(
  scope: Scope,
  input: PlanInput,
  opts: WriteOptions = {},
): Promise<Result<{ plan: Plan; replayed: boolean }>> {
  const now = opts.now ?? new Date();
  const [merchant] = await db().select().from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!merchant) return failure(404, "merchant_not_found", "Unknown merchant.");
  const name = String(input.name ?? "").trim();
  if (!name) return failure(400, "name_required", "Give the plan a name customers will recognise.", "name");
  if (name.length > 200) return failure(400, "name_too_long", "The plan's name must be at most 200 characters.", "name");
  const currency = String(input.currency ?? merchant.currency).toUpperCase();
  if (currency !== merchant.currency) return failure(400, "currency_mismatch", `Currency must be ${merchant.currency}, this merchant's currency.`, "currency");
  let amount: bigint;
  try {
    amount = typeof input.amount === "bigint" ? input.amount : BigInt(String(input.amount ?? "").trim());
  } catch {
    return failure(400, "amount_invalid", "Amount must be a whole number of minor units, like 1500000.", "amount");
  }
  if (amount <= 0n) return failure(400, "amount_invalid", "Amount must be greater than zero.", "amount");
  if (isCurrencyCode(currency) && amount > maxMinorUnits(currency)) return failure(400, "amount_too_large", `Amount must be at most ${maxMinorUnits(currency)} minor units.`, "amount");
  const interval = String(input.interval ?? "month") as BillingInterval;
  if (!BILLING_INTERVALS.includes(interval)) return failure(400, "interval_invalid", "Interval must be week, month or year.", "interval");
  const intervalCount = input.intervalCount === undefined || input.intervalCount === "" ? 1 : Number(input.intervalCount);
  if (!Number.isInteger(intervalCount) || intervalCount < 1 || intervalCount > MAX_INTERVAL_COUNT[interval]) {
    return failure(400, "interval_count_invalid", `Interval count must be a whole number from 1 to ${MAX_INTERVAL_COUNT[interval]} for ${interval}s.`, "interval_count");
  }
  const calendar = (input.calendar === undefined || input.calendar === "" ? defaultBillingCalendar(currency) : String(input.calendar)) as BillingCalendar;
  if (calendar !== "persian" && calendar !== "gregory") return failure(400, "calendar_invalid", "Calendar must be persian (Jalali months) or gregory.", "calendar");
  const trial = trialDaysOf(input.trialDays, 0);
  if (!trial.ok) return trial;
  const trialDays = trial.days;
  const { row: plan, replayed } = await createOnce(
    opts.idempotencyKey,
    () =>
      db().transaction(async (tx) => {
        const [row] = await tx
          .insert(plans)
          .values({ merchantId: scope.merchantId, id: newId("plan", now), name, amount, currency, interval, intervalCount, calendar, trialDays, idempotencyKey: opts.idempotencyKey ?? null, createdAt: now, updatedAt: now })
          .returning();
        if (opts.actor) await audit(tx, { actor: opts.actor, action: "plan.create", outcome: "success", targetType: "plan", targetId: row!.id, details: { name, amount, interval, intervalCount, calendar }, client: opts.client });
        await recordEvent(tx, scope.merchantId, "plan.created", serializePlan(row!), now);
        return row!;
      }),
    async (key) => (await db().select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.idempotencyKey, key))))[0],
  );
  return { ok: true, plan, replayed };
}

export async function listPlans(scope: Scope): Promise<Plan[]> {
  return db().select().from(plans).where(eq(plans.merchantId, scope.merchantId)).orderBy(desc(plans.active), asc(plans.name));
}

export async function getPlan(scope: Scope, id: string, dbx: DbOrTx = db()): Promise<Plan | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const [p] = await dbx.select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.id, id)));
  return p;
}

/* ------------------------------- subscriptions ------------------------------ */

export function cycleOf(s: Pick<Subscription, "interval" | "intervalCount">): BillingCycle {
  return { interval: s.interval as BillingInterval, count: s.intervalCount };
}

/**
 * A new subscription's terms: its plan's billing (calendar, interval) as the plan has it
 * now, kept by the subscription whatever later happens to the plan; started at `startAt`
 * in the merchant's zone, with `trialDays` of trial. Its periods count from the anchor:
 * the trial's end, else the start.
 */
export function subscriptionTerms(plan: Plan, startAt: Date, trialDays: number, timeZone: string) {
  const trialEndAt = trialDays > 0 ? addDaysKeepingTime(startAt, trialDays, timeZone) : null;
  return {
    planId: plan.id,
    calendar: plan.calendar,
    timeZone,
    interval: plan.interval,
    intervalCount: plan.intervalCount,
    startAt,
    trialEndAt,
    anchorAt: trialEndAt ?? startAt,
  };
}

export interface SubscriptionInput {
  customerId?: unknown;
  planId?: unknown;
  paymentMethodId?: unknown;
  quantity?: unknown;
  /** ISO instant; absent: now. */
  startAt?: unknown;
  /** Absent: the plan's trial days. */
  trialDays?: unknown;
}

/**
 * Creates a subscription. Its first invoice is due at the anchor: now (no trial, starting
 * now), the trial's end, or the start date; the renewal job (renewals.server.ts) creates and
 * charges it, and the caller may run it at once (`runSubscriptionNow`).
 */
export async function createSubscription(
  scope: Scope,
  input: SubscriptionInput,
  opts: WriteOptions = {},
): Promise<Result<{ subscription: Subscription; replayed: boolean }>> {
  const now = opts.now ?? new Date();
  const [merchant] = await db().select().from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!merchant) return failure(404, "merchant_not_found", "Unknown merchant.");
  const customer = await getCustomer(scope, String(input.customerId ?? ""));
  if (!customer) return failure(400, "customer_not_found", "Choose an existing customer (customer_id).", "customer_id");
  const plan = await getPlan(scope, String(input.planId ?? ""));
  if (!plan) return failure(400, "plan_not_found", "Choose an existing plan (plan_id).", "plan_id");
  if (!plan.active) return failure(400, "plan_inactive", "This plan no longer takes new subscriptions.", "plan_id");
  let paymentMethodId: string | null = null;
  if (input.paymentMethodId !== undefined && input.paymentMethodId !== null && input.paymentMethodId !== "") {
    const [pm] = await db()
      .select()
      .from(paymentMethods)
      .where(and(eq(paymentMethods.merchantId, scope.merchantId), eq(paymentMethods.id, String(input.paymentMethodId))));
    if (!pm || pm.customerId !== customer.id) return failure(400, "payment_method_not_found", "The saved card must be one of this customer's.", "payment_method_id");
    if (pm.status !== "active") return failure(400, "payment_method_removed", "This saved card was removed; save a new one with the customer's consent.", "payment_method_id");
    paymentMethodId = pm.id;
  }
  const quantity = input.quantity === undefined || input.quantity === "" ? 1 : Number(input.quantity);
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 10_000) return failure(400, "quantity_invalid", "Quantity must be a whole number from 1 to 10000.", "quantity");
  let startAt = now;
  if (input.startAt !== undefined && input.startAt !== null && input.startAt !== "") {
    const d = input.startAt instanceof Date ? input.startAt : new Date(String(input.startAt));
    if (Number.isNaN(d.getTime())) return failure(400, "start_at_invalid", "Start must be a date and time, like 2026-03-21T09:00:00+03:30.", "start_at");
    if (d.getTime() < now.getTime() - 60_000) return failure(400, "start_at_in_past", "A subscription starts now or on a later date, not in the past.", "start_at");
    startAt = d.getTime() < now.getTime() ? now : d;
  }
  const trial = trialDaysOf(input.trialDays, plan.trialDays);
  if (!trial.ok) return trial;
  const trialDays = trial.days;
  const terms = subscriptionTerms(plan, startAt, trialDays, merchant.timeZone);
  const status: SubscriptionStatus = terms.trialEndAt ? "trialing" : startAt.getTime() > now.getTime() ? "scheduled" : "active";
  const { row: subscription, replayed } = await createOnce(
    opts.idempotencyKey,
    () =>
      db().transaction(async (tx) => {
        const [row] = await tx
          .insert(subscriptions)
          .values({
            merchantId: scope.merchantId,
            id: newId("sub", now),
            customerId: customer.id,
            paymentMethodId,
            status,
            quantity,
            ...terms,
            nextRenewalAt: terms.anchorAt,
            idempotencyKey: opts.idempotencyKey ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        if (opts.actor) await audit(tx, { actor: opts.actor, action: "subscription.create", outcome: "success", targetType: "subscription", targetId: row!.id, details: { customerId: customer.id, planId: plan.id, quantity }, client: opts.client });
        await recordEvent(tx, scope.merchantId, "subscription.created", serializeSubscription(row!), now);
        return row!;
      }),
    async (key) => (await db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.idempotencyKey, key))))[0],
  );
  return { ok: true, subscription, replayed };
}

export async function getSubscription(scope: Scope, id: string, dbx: DbOrTx = db()): Promise<Subscription | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const [s] = await dbx.select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, id)));
  return s;
}

export async function listSubscriptions(scope: Scope, opts: { status?: string | null; customerId?: string | null; limit?: number; offset?: number } = {}) {
  const conds = [eq(subscriptions.merchantId, scope.merchantId)];
  if (opts.status && (SUBSCRIPTION_STATUSES as readonly string[]).includes(opts.status)) conds.push(eq(subscriptions.status, opts.status as SubscriptionStatus));
  if (opts.customerId) conds.push(eq(subscriptions.customerId, opts.customerId));
  const page = pageBounds(opts, 100, 500);
  return db()
    .select({ subscription: subscriptions, planName: plans.name, amount: plans.amount, currency: plans.currency, customerName: sql<string>`(select name from customers c where c.merchant_id = ${subscriptions.merchantId} and c.id = ${subscriptions.customerId})` })
    .from(subscriptions)
    .innerJoin(plans, and(eq(plans.merchantId, subscriptions.merchantId), eq(plans.id, subscriptions.planId)))
    .where(and(...conds))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(page.limit)
    .offset(page.offset);
}

/** The detail page: the subscription, its plan, and a timeline of its invoices with every attempt. */
export async function subscriptionDetail(scope: Scope, id: string) {
  const subscription = await getSubscription(scope, id);
  if (!subscription) return null;
  const plan = (await getPlan(scope, subscription.planId))!;
  const customer = (await getCustomer(scope, subscription.customerId))!;
  const invoiceRows = await db()
    .select()
    .from(invoices)
    .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, id)))
    .orderBy(desc(invoices.periodIndex));
  const ids = invoiceRows.map((i) => i.id);
  const attempts = ids.length
    ? await db()
        .select()
        .from(payments)
        .where(and(eq(payments.merchantId, scope.merchantId), inArray(payments.invoiceId, ids)))
        .orderBy(asc(payments.createdAt))
    : [];
  const [method] = subscription.paymentMethodId
    ? await db().select().from(paymentMethods).where(and(eq(paymentMethods.merchantId, scope.merchantId), eq(paymentMethods.id, subscription.paymentMethodId)))
    : [];
  return {
    subscription,
    plan,
    customer,
    paymentMethod: method ?? null,
    invoices: invoiceRows.map((i) => ({ invoice: i, attempts: attempts.filter((p) => p.invoiceId === i.id) })),
  };
}

export async function getInvoice(scope: Scope, id: string): Promise<{ invoice: Invoice; attempts: (typeof payments.$inferSelect)[] } | null> {
  if (typeof id !== "string" || id.length > 100) return null;
  const [invoice] = await db().select().from(invoices).where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, id)));
  if (!invoice) return null;
  const attempts = await db()
    .select()
    .from(payments)
    .where(and(eq(payments.merchantId, scope.merchantId), eq(payments.invoiceId, id)))
    .orderBy(asc(payments.createdAt));
  return { invoice, attempts };
}

export async function listInvoices(scope: Scope, opts: { status?: string | null; subscriptionId?: string | null; limit?: number } = {}) {
  const conds = [eq(invoices.merchantId, scope.merchantId)];
  if (opts.status) conds.push(sql`${invoices.status}::text = ${opts.status}`);
  if (opts.subscriptionId) conds.push(eq(invoices.subscriptionId, opts.subscriptionId));
  return db().select().from(invoices).where(and(...conds)).orderBy(desc(invoices.createdAt), desc(invoices.id)).limit(pageBounds(opts, 100, 500).limit);
}

/* ------------------------------ lifecycle changes ------------------------------ */

/**
 * The subscription's row, locked until the transaction ends; undefined when the merchant has
 * none by that id. Lock order everywhere: the subscription's row, then its invoices'.
 */
export async function lockSubscription(tx: Tx, scope: Scope, id: string): Promise<Subscription | undefined> {
  const [s] = await tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, id)))
    .for("update");
  return s;
}

type Change = (tx: Tx, s: Subscription, now: Date) => Promise<Result<{ subscription: Subscription }>>;

async function change(scope: Scope, id: string, action: string, by: { actor?: AppContext; client?: Client }, now: Date, fn: Change): Promise<Result<{ subscription: Subscription }>> {
  return db().transaction(async (tx) => {
    const s = await lockSubscription(tx, scope, id);
    if (!s) return failure(404, "subscription_not_found", "No such subscription.", "id");
    const r = await fn(tx, s, now);
    if (r.ok && by.actor) {
      await audit(tx, { actor: by.actor, action: `subscription.${action}`, outcome: "success", targetType: "subscription", targetId: id, details: { from: s.status, to: r.subscription.status }, client: by.client });
    }
    return r;
  });
}

async function save(tx: Tx, s: Subscription, set: Partial<Subscription>): Promise<Subscription> {
  const [row] = await tx
    .update(subscriptions)
    .set({ ...set, updatedAt: set.updatedAt ?? new Date() })
    .where(and(eq(subscriptions.merchantId, s.merchantId), eq(subscriptions.id, s.id)))
    .returning();
  return row!;
}

const ENDED: readonly SubscriptionStatus[] = ["canceled"];

/** Cancel now (open invoices are voided) or at the end of the current period. */
export async function cancelSubscription(
  scope: Scope,
  id: string,
  opts: { atPeriodEnd: boolean; actor?: AppContext; client?: Client; now?: Date },
): Promise<Result<{ subscription: Subscription }>> {
  const now = opts.now ?? new Date();
  return change(scope, id, opts.atPeriodEnd ? "cancel_at_period_end" : "cancel", opts, now, async (tx, s) => {
    if (ENDED.includes(s.status)) return failure(409, "subscription_canceled", "This subscription is already canceled.", "id");
    if (opts.atPeriodEnd && s.currentPeriodEnd && s.status !== "scheduled") {
      const row = await save(tx, s, { cancelAtPeriodEnd: true, canceledAt: now, updatedAt: now });
      await recordEvent(tx, scope.merchantId, "subscription.updated", serializeSubscription(row), now);
      return { ok: true, subscription: row };
    }
    const row = await save(tx, s, { status: "canceled", canceledAt: now, endedAt: now, nextRenewalAt: null, updatedAt: now });
    const voided = await tx
      .update(invoices)
      .set({ status: "void", nextAttemptAt: null, closedAt: now, updatedAt: now })
      .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, id), inArray(invoices.status, ["draft", "open"]), sql`${invoices.nextAttemptAt} is not null`))
      .returning();
    for (const inv of voided) await recordEvent(tx, scope.merchantId, "invoice.voided", serializeInvoice(inv), now);
    await recordEvent(tx, scope.merchantId, "subscription.canceled", serializeSubscription(row), now);
    return { ok: true, subscription: row };
  });
}

/** Paused: no renewals and no retries until resumed. */
export async function pauseSubscription(scope: Scope, id: string, opts: { actor?: AppContext; client?: Client; now?: Date } = {}): Promise<Result<{ subscription: Subscription }>> {
  const now = opts.now ?? new Date();
  return change(scope, id, "pause", opts, now, async (tx, s) => {
    if (s.status === "paused") return { ok: true, subscription: s };
    if (!["active", "trialing", "past_due", "scheduled"].includes(s.status)) return failure(409, "subscription_not_pausable", `A ${s.status} subscription cannot be paused.`, "id");
    const row = await save(tx, s, { status: "paused", pausedAt: now, updatedAt: now });
    await recordEvent(tx, scope.merchantId, "subscription.paused", serializeSubscription(row), now);
    return { ok: true, subscription: row };
  });
}

/**
 * Resumed: the periods that passed while paused are not billed; the next invoice is for
 * the first period that starts after now (same anchor, so the same renewal day).
 */
export async function resumeSubscription(scope: Scope, id: string, opts: { actor?: AppContext; client?: Client; now?: Date } = {}): Promise<Result<{ subscription: Subscription }>> {
  const now = opts.now ?? new Date();
  return change(scope, id, "resume", opts, now, async (tx, s) => {
    if (s.status !== "paused") return failure(409, "subscription_not_paused", "Only a paused subscription can be resumed.", "id");
    const cal = s.calendar as BillingCalendar;
    let set: Partial<Subscription>;
    if (s.currentPeriodIndex === null || s.anchorAt.getTime() > now.getTime()) {
      // Never billed yet: the first invoice stays due at the anchor, or now if that passed.
      set = { status: s.trialEndAt && s.trialEndAt.getTime() > now.getTime() ? "trialing" : s.startAt.getTime() > now.getTime() ? "scheduled" : "active", nextRenewalAt: s.anchorAt.getTime() > now.getTime() ? s.anchorAt : now };
    } else {
      const k = Math.max(s.currentPeriodIndex, periodIndexAt(s.anchorAt, cycleOf(s), now, s.timeZone, cal));
      const p = billingPeriod(s.anchorAt, cycleOf(s), k, s.timeZone, cal);
      const open = await tx.select({ n: sql<number>`count(*)::int` }).from(invoices).where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, s.id), eq(invoices.status, "open")));
      set = { status: (open[0]?.n ?? 0) > 0 ? "past_due" : "active", currentPeriodIndex: k, currentPeriodStart: p.start, currentPeriodEnd: p.end, nextRenewalAt: p.end };
    }
    const row = await save(tx, s, { ...set, pausedAt: null, updatedAt: now });
    await recordEvent(tx, scope.merchantId, "subscription.resumed", serializeSubscription(row), now);
    return { ok: true, subscription: row };
  });
}

/**
 * Monthly recurring revenue of one subscription, in minor units, as SQL over a subscriptions
 * row `s` and its plan `p`: the plan's amount × quantity, a week 52/12 of a month, N months
 * 1/N, a year 1/12 (N years 1/(12N)), rounded down to whole minor units (bigint division).
 * A subscription that is not active or past due (trial, paused, scheduled, unpaid, canceled)
 * counts 0. The one definition of the rule: the Overview, the Subscriptions list and the
 * subscriptions export's mrr column all read it.
 */
export function monthlyAmountSql(s = "s", p = "p"): string {
  const total = `(${p}.amount * ${s}.quantity)`;
  return `(case when ${s}.status not in ('active', 'past_due') then 0::bigint
    when ${s}.interval = 'week' then (${total} * 52) / (12 * ${s}.interval_count)
    when ${s}.interval = 'year' then ${total} / (12 * ${s}.interval_count)
    else ${total} / ${s}.interval_count end)`;
}

/** Counts by status and MRR (active and past-due subscriptions) for the list's header. */
export async function subscriptionStats(scope: Scope) {
  const list = await rows<{ status: string; n: number; mrr: string }>(
    db(),
    sql`select s.status::text as status, count(*)::int as n, coalesce(sum(${sql.raw(monthlyAmountSql("s", "p"))}), 0)::text as mrr
        from subscriptions s join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
        where s.merchant_id = ${scope.merchantId}
        group by 1`,
  );
  const byStatus: Record<string, number> = {};
  let mrr = 0n;
  for (const s of list) {
    byStatus[s.status] = s.n;
    mrr += BigInt(s.mrr);
  }
  return { byStatus, mrr };
}
