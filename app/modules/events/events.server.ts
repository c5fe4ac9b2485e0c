/**
 * Events: the transactional outbox. Every state change a merchant cares about calls
 * recordEvent() with the SAME transaction as the change, so an event exists exactly
 * when its change commits (no event for a rolled-back change, no change without its
 * event). Webhook deliveries and notifications are made from these rows afterwards, by
 * the job queue (app/modules/webhooks).
 *
 * Numbering (docs/webhooks.md, "How events are numbered"). recordEvent is one insert and
 * takes no lock: the event gets a global `gid` from an identity and `seq` null. A
 * merchant's sequence numbers 1, 2, 3... are given afterwards by publishEvents(), one run
 * per merchant at a time (it holds the merchant's event_sequences row for its own short
 * transaction, never a payment's): it numbers the events committed so far and not yet
 * numbered, by gid. A number is therefore only ever given to a committed event, and every
 * number given later is larger, so a reader that has seen seq N and asks for `after=N`
 * never misses an event, even one whose transaction committed late with a smaller gid.
 * Readers (the API, the console, the dispatcher, notifications) only see numbered events,
 * and publish the merchant's pending events themselves before reading; the workers'
 * poll publishes every merchant's twice a second.
 */
import { and, desc, eq, gt, inArray, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import { events } from "~db/schema";
import { db, rows, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { preparedSql } from "~db/prepared.server";
import type { Scope } from "~/lib/vocabulary";

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
  // Without a replacer JSON.stringify takes its fast path; the serializers give amounts as
  // strings, so only an object with a bigint left in throws there and takes the replacer
  // (a Date is its toISOString() either way: toJSON runs before a replacer sees the value).
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v));
  }
}

/**
 * The event's statement, built once per database (its text is the same for every event):
 * every payment records two, and rendering it per call was measurable on the write path.
 * A plain insert: no per-merchant row is read or locked (the publisher numbers it later).
 */
const insertEvent = preparedSql(
  () => sql`
    insert into events (merchant_id, id, type, data, created_at)
    values (${sql.placeholder("merchantId")}, ${sql.placeholder("id")}, ${sql.placeholder("type")}, ${sql.placeholder("data")}::jsonb,
      coalesce(${sql.placeholder("at")}::timestamptz, now()))`,
);

/** Records one event in the caller's transaction; one statement (prepared), no lock held. Returns its id. */
export async function recordEvent(tx: DbOrTx, merchantId: string, type: EventType, object: EventObject, at?: Date): Promise<{ id: string }> {
  const id = newId("evt", at);
  await insertEvent(tx, { merchantId, id, type, data: jsonOf(object), at: at ? at.toISOString() : null });
  return { id };
}

/**
 * The same event as a CTE (event_row) for a caller's own single-statement write: written
 * only when `when` holds (e.g. sql`exists (select 1 from upd)`), in the statement's
 * transaction. Append after the caller's CTEs: `with upd as (...), ${eventCtes(...)} select ...`.
 */
export function eventCtes(merchantId: string, type: EventType, object: EventObject, when: SQL, at?: Date): SQL {
  const id = newId("evt", at);
  return sql`event_row as (
      insert into events (merchant_id, id, type, data, created_at)
      select ${merchantId}, ${id}, ${type}, ${jsonOf(object)}::jsonb, now() where ${when}
      returning 1
    )`;
}

// ---- the publisher: numbering -----------------------------------------------------------

/** Events numbered per transaction of the publisher (a backlog is numbered in several). */
const PUBLISH_BATCH = 1000;

const hasUnnumbered = preparedSql<{ one: number }>(
  () => sql`select 1 as one from events where merchant_id = ${sql.placeholder("merchantId")} and seq is null limit 1`,
);

/** Takes the merchant's sequence row (creating it at 0) and returns the last number given. */
const lockSequence = preparedSql<{ last_seq: number | string }>(
  () => sql`
    insert into event_sequences (merchant_id, last_seq) values (${sql.placeholder("merchantId")}, 0)
    on conflict (merchant_id) do update set last_seq = event_sequences.last_seq
    returning last_seq`,
);

/**
 * Numbers the merchant's committed, unnumbered events after `last`, by gid, and moves the
 * sequence row to the last number given (the update names the merchant: by gid alone it
 * joined every merchant's events, a scan of the whole table per run). Run in a transaction that holds the row
 * (lockSequence) and as a new statement after it, so its snapshot sees every number an
 * earlier run gave (READ COMMITTED: a snapshot per statement, taken after the lock).
 */
const numberEvents = preparedSql<{ last_seq: number | string; numbered: number | string }>(
  () => sql`
    with todo as (
      select gid, ${sql.placeholder("last")}::bigint + row_number() over (order by gid) as seq
      from events where merchant_id = ${sql.placeholder("merchantId")} and seq is null
      order by gid limit ${sql.raw(String(PUBLISH_BATCH))}
    ), upd as (
      update events e set seq = todo.seq from todo
      where e.merchant_id = ${sql.placeholder("merchantId")} and e.gid = todo.gid and e.seq is null
      returning e.seq
    ), moved as (
      update event_sequences set last_seq = (select max(seq) from upd)
      where merchant_id = ${sql.placeholder("merchantId")} and exists (select 1 from upd)
      returning last_seq
    )
    select (select count(*) from upd) as numbered, coalesce((select last_seq from moved), ${sql.placeholder("last")}::bigint) as last_seq`,
);

/**
 * Publishes a merchant's events: numbers every event committed so far and not yet
 * numbered (see the file's comment). Cheap when there is nothing to do (one indexed probe
 * of a partial index). Runs its own transactions on the database: call it outside any.
 * Returns how many events it numbered.
 */
export async function publishEvents(merchantId: string): Promise<number> {
  const [pending] = await hasUnnumbered(db(), { merchantId });
  if (!pending) return 0;
  let total = 0;
  for (;;) {
    const n = await db().transaction(async (tx) => {
      const [s] = await lockSequence(tx, { merchantId });
      const [r] = await numberEvents(tx, { merchantId, last: String(s!.last_seq) });
      return Number(r!.numbered);
    });
    total += n;
    if (n < PUBLISH_BATCH) return total;
  }
}

/** Every merchant with unnumbered events gets them numbered (the workers' poll). Returns how many were numbered. */
export async function publishAllEvents(dbx: DbOrTx = db()): Promise<number> {
  const due = await rows<{ merchant_id: string }>(dbx, sql`select distinct merchant_id from events where seq is null`);
  let n = 0;
  for (const d of due) n += await publishEvents(d.merchant_id);
  return n;
}

/** An event as readers see it: numbered. */
export type PublishedEvent = EventRow & { seq: number };

/** The API's JSON for an event (a published one: numbered). */
export function serializeEvent(e: PublishedEvent) {
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

/**
 * A merchant's published events: ascending after a cursor (the API), or newest first (the
 * console). Publishes the merchant's pending events first (unless `dbx`, a caller's
 * transaction, is given: then it reads what is published), so a change that committed
 * before the call is in the answer.
 */
export async function listEvents(scope: Scope, input: ListEventsInput, dbx?: DbOrTx): Promise<{ events: PublishedEvent[]; hasMore: boolean }> {
  if (!dbx) await publishEvents(scope.merchantId);
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
  const order = input.order ?? (input.after !== undefined ? "asc" : "desc");
  const conds = [eq(events.merchantId, scope.merchantId), isNotNull(events.seq)];
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
  const found = (await (dbx ?? db())
    .select()
    .from(events)
    .where(and(...conds))
    .orderBy(order === "asc" ? events.seq : desc(events.seq))
    .limit(limit + 1)) as PublishedEvent[];
  return { events: found.slice(0, limit), hasMore: found.length > limit };
}

/** One published event by id (a committed one not yet numbered is published first). */
export async function getEvent(scope: Scope, id: string, dbx?: DbOrTx): Promise<PublishedEvent | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const read = () => (dbx ?? db()).select().from(events).where(and(eq(events.merchantId, scope.merchantId), eq(events.id, id)));
  let [e] = await read();
  if (e && e.seq === null && !dbx) {
    await publishEvents(scope.merchantId);
    [e] = await read();
  }
  return e && e.seq !== null ? (e as PublishedEvent) : undefined;
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
