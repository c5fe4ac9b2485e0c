/**
 * Events: the transactional outbox. Every state change a merchant cares about calls
 * recordEvent() with the SAME transaction as the change, so an event exists exactly
 * when its change commits (no event for a rolled-back change, no change without its
 * event). Webhook deliveries and notifications are made from these rows afterwards, by
 * the job queue (app/modules/webhooks).
 *
 * recordEvent is one statement: it takes the merchant's next sequence number (an upsert
 * of its event_sequences row) and inserts the event. The row stays locked until the
 * transaction ends, so a merchant's sequence numbers are given in commit order, without
 * gaps: a reader that has seen seq N and asks for `after=N` never misses an event that
 * commits later with a smaller number. Call it last in the transaction (just before the
 * commit) to hold that lock for the shortest time.
 */
import { and, desc, eq, gt, inArray, lt, sql, type SQL } from "drizzle-orm";
import { events } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { preparedSql } from "~db/prepared.server";

export const EVENT_TYPES = [
  "payment.created",
  "payment.pending",
  "payment.authorized",
  "payment.succeeded",
  "payment.failed",
  "payment.declined",
  "payment.voided",
  "refund.created",
  "refund.succeeded",
  "refund.failed",
  "payout.created",
  "payout.in_transit",
  "payout.paid",
  "payout.failed",
  "payout.canceled",
  "terminal.created",
  "terminal.updated",
  "terminal.deactivated",
  "terminal.reactivated",
  "terminal.key_rotated",
  "staff.invited",
  "staff.invitation_revoked",
  "staff.joined",
  "staff.role_changed",
  "staff.disabled",
  "staff.enabled",
  "staff.removed",
  "bank_account.updated",
  "payment_link.created",
  "payment_link.deactivated",
  "customer.created",
  "customer.updated",
  "payment_method.attached",
  "payment_method.detached",
  "plan.created",
  "subscription.created",
  "subscription.updated",
  "subscription.past_due",
  "subscription.paused",
  "subscription.resumed",
  "subscription.canceled",
  "invoice.created",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.uncollectible",
  "invoice.voided",
  "invoice.dunning_notice_sent",
  "subscription.plan_changed",
  "subscription.card_update_started",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type EventRow = typeof events.$inferSelect;

/** The object an event carries: what the API shows for it (money as decimal strings). */
export type EventObject = { id: string; object: string } & Record<string, unknown>;

function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v));
}

/**
 * The event's statement, built once per database (its text is the same for every event):
 * every payment records two, and rendering it per call was measurable on the write path.
 */
const insertEvent = preparedSql<{ seq: number | string }>(
  () => sql`
    with s as (
      insert into event_sequences (merchant_id, last_seq) values (${sql.placeholder("merchantId")}, 1)
      on conflict (merchant_id) do update set last_seq = event_sequences.last_seq + 1
      returning last_seq
    )
    insert into events (merchant_id, seq, id, type, data, created_at)
    select ${sql.placeholder("merchantId")}, s.last_seq, ${sql.placeholder("id")}, ${sql.placeholder("type")}, ${sql.placeholder("data")}::jsonb,
      coalesce(${sql.placeholder("at")}::timestamptz, now()) from s
    returning seq`,
);

/** Records one event in the caller's transaction; one statement (prepared). Returns its id and sequence number. */
export async function recordEvent(tx: DbOrTx, merchantId: string, type: EventType, object: EventObject, at?: Date): Promise<{ id: string; seq: number }> {
  const id = newId("evt", at);
  const [row] = await insertEvent(tx, { merchantId, id, type, data: jsonOf(object), at: at ? at.toISOString() : null });
  return { id, seq: Number(row!.seq) };
}

/**
 * The same event as CTEs (event_seq, event_row) for a caller's own single-statement write:
 * written only when `when` holds (e.g. sql`exists (select 1 from upd)`), in the statement's
 * transaction. Append after the caller's CTEs: `with upd as (...), ${eventCtes(...)} select ...`.
 */
export function eventCtes(merchantId: string, type: EventType, object: EventObject, when: SQL, at?: Date): SQL {
  const id = newId("evt", at);
  return sql`event_seq as (
      insert into event_sequences (merchant_id, last_seq) select ${merchantId}, 1 where ${when}
      on conflict (merchant_id) do update set last_seq = event_sequences.last_seq + 1
      returning last_seq
    ), event_row as (
      insert into events (merchant_id, seq, id, type, data, created_at)
      select ${merchantId}, event_seq.last_seq, ${id}, ${type}, ${jsonOf(object)}::jsonb, now() from event_seq
      returning 1
    )`;
}

/** The API's JSON for an event. */
export function serializeEvent(e: EventRow) {
  return {
    id: e.id,
    object: "event" as const,
    sequence: e.seq,
    type: e.type,
    created_at: e.createdAt.toISOString(),
    data: { object: e.data },
  };
}
export type EventJson = ReturnType<typeof serializeEvent>;

export interface ListEventsInput {
  /** Events with a sequence number greater than this (the cursor). */
  after?: number;
  /** Newest first, older than this sequence number (the console's pages). */
  before?: number;
  types?: string[];
  /** A type prefix: "payment" matches payment.*. */
  objectId?: string;
  limit?: number;
  order?: "asc" | "desc";
}

/** A merchant's events: ascending after a cursor (the API), or newest first (the console). */
export async function listEvents(scope: { merchantId: string }, input: ListEventsInput, dbx: DbOrTx = db()): Promise<{ events: EventRow[]; hasMore: boolean }> {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
  const order = input.order ?? (input.after !== undefined ? "asc" : "desc");
  const conds = [eq(events.merchantId, scope.merchantId)];
  if (input.after !== undefined) conds.push(gt(events.seq, input.after));
  if (input.before !== undefined) conds.push(lt(events.seq, input.before));
  if (input.types && input.types.length > 0) {
    const exact = input.types.filter((t) => !t.endsWith(".*"));
    const prefixes = input.types.filter((t) => t.endsWith(".*")).map((t) => t.slice(0, -1));
    const parts = [];
    if (exact.length) parts.push(inArray(events.type, exact));
    for (const p of prefixes) parts.push(sql`${events.type} like ${`${p}%`}`);
    conds.push(parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql` or `)})`);
  }
  if (input.objectId) conds.push(sql`${events.data}->>'id' = ${input.objectId}`);
  const found = await dbx
    .select()
    .from(events)
    .where(and(...conds))
    .orderBy(order === "asc" ? events.seq : desc(events.seq))
    .limit(limit + 1);
  return { events: found.slice(0, limit), hasMore: found.length > limit };
}

export async function getEvent(scope: { merchantId: string }, id: string, dbx: DbOrTx = db()): Promise<EventRow | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const [e] = await dbx
    .select()
    .from(events)
    .where(and(eq(events.merchantId, scope.merchantId), eq(events.id, id)));
  return e;
}

/** The event types a filter or an endpoint may name: the known ones, a "group.*", or "*". */
export function isKnownEventType(t: string): boolean {
  if (t === "*") return true;
  if ((EVENT_TYPES as readonly string[]).includes(t)) return true;
  if (t.endsWith(".*")) return EVENT_TYPES.some((k) => k.startsWith(t.slice(0, -1)));
  return false;
}

export function typeMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === "*" || p === type || (p.endsWith(".*") && type.startsWith(p.slice(0, -1))));
}
