import { sql } from "drizzle-orm";
import { bigint, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { tstz } from "./common";
import { merchantId, id, createdAt, oneOf, merchantPk, merchantIndex, merchantUnique, createdByUserId, timestamps, merchantRowTable, merchantTable } from "./columns";

/**
 * The events outbox: one row per state change a merchant cares about, written in the
 * same transaction as the change (app/modules/events/events.server.ts). The writer takes
 * no per-merchant lock: it inserts the event with `seq` null, and its `gid` (a global
 * identity) orders it among the merchant's unnumbered events. The publisher
 * (`publishEvents`) numbers a merchant's committed events 1, 2, 3... under the merchant's
 * event_sequences row, in the order they became visible, so `after=<seq>` cursors never
 * skip one: readers only ever see numbered events. Append-only (the publisher's setting of
 * `seq` from null is the one update allowed).
 */
export const events = pgTable(
  "events",
  {
    gid: bigint("gid", { mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    merchantId: merchantId(),
    /** The merchant's sequence number, given by the publisher after the commit; null until then. */
    seq: bigint("seq", { mode: "number" }),
    id: id(),
    type: text("type").notNull(),
    /** The object as the API shows it, at the time of the change. */
    data: jsonb("data").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // merchant_id leads every key of a merchant-owned table (tests/integration/scale/tenancy.test.ts).
    merchantPk(t, t.gid),
    merchantUnique("events_seq", t, t.seq),
    merchantUnique("events_id", t, t.id),
    merchantIndex("events_type", t, t.type, t.seq),
    merchantIndex("events_unnumbered", t, t.gid).where(sql`${t.seq} is null`),
  ],
);

/** Each merchant's last published (numbered) event sequence number: written only by the publisher. */
export const eventSequences = pgTable("event_sequences", {
  merchantId: merchantId().primaryKey(),
  lastSeq: bigint("last_seq", { mode: "number" }).notNull(),
});

/** A merchant's webhook endpoint: where its events are POSTed, signed. */
export const webhookEndpoints = merchantRowTable(
  "webhook_endpoints",
  {
    url: text("url").notNull(),
    /** Event types it receives; ["*"] for all. */
    eventTypes: jsonb("event_types").$type<string[]>().notNull(),
    description: text("description"),
    status: text("status").$type<"enabled" | "disabled">().notNull().default("enabled"),
    disabledReason: text("disabled_reason"),
    secret: text("secret").notNull(),
    /** The secret before the last rotation, valid (also signed with) until previous_secret_expires_at. */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: tstz("previous_secret_expires_at"),
    /** Events up to this sequence number have deliveries. */
    cursorSeq: bigint("cursor_seq", { mode: "number" }).notNull().default(0),
    /** First failure since the last success (3 days of it disable the endpoint). */
    failingSince: tstz("failing_since"),
    createdByUserId: createdByUserId(),
    ...timestamps(),
    deletedAt: tstz("deleted_at"),
  },
  (t) => [oneOf("webhook_endpoints_status", t.status, ["enabled", "disabled"])],
);

/**
 * What an HTTP attempt to an endpoint came to: the status and the first 2 KB of the body it
 * answered, how long it took, and the error (a network failure, or "HTTP <status>"). An attempt
 * keeps its own; a delivery keeps its last attempt's (all null before the first).
 */
const attemptOutcome = () => ({
  responseStatus: integer("response_status"),
  responseBody: text("response_body"),
  durationMs: integer("duration_ms"),
  error: text("error"),
});

/** One event (or a test ping) to one endpoint, retried until it succeeds or gives up. */
export const webhookDeliveries = merchantRowTable(
  "webhook_deliveries",
  {
    endpointId: text("endpoint_id").notNull(),
    eventId: text("event_id").notNull(),
    eventSeq: bigint("event_seq", { mode: "number" }),
    eventType: text("event_type").notNull(),
    /** event: the dispatcher; resend / replay / test: asked for by a person or the API. */
    reason: text("reason").$type<"event" | "resend" | "replay" | "test">().notNull(),
    /** superseded: a resend or replay of the same event to the same endpoint took over its retries. */
    status: text("status").$type<"pending" | "succeeded" | "retrying" | "failed" | "superseded">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at"),
    lastAttemptAt: tstz("last_attempt_at"),
    ...attemptOutcome(),
    createdAt: createdAt(),
  },
  (t) => [
    merchantIndex("webhook_deliveries_endpoint", t, t.endpointId, t.createdAt),
    merchantIndex("webhook_deliveries_event", t, t.eventId),
  ],
);

/** Every HTTP attempt of a delivery: the delivery log. */
export const webhookAttempts = merchantTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id").notNull(),
    attempt: integer("attempt").notNull(),
    endpointId: text("endpoint_id").notNull(),
    at: tstz("at").notNull(),
    url: text("url").notNull(),
    ...attemptOutcome(),
    // An attempt always took some time (a key given again keeps its place: the column order stays).
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [merchantPk(t, t.deliveryId, t.attempt), merchantIndex("webhook_attempts_endpoint", t, t.endpointId, t.at)],
);
