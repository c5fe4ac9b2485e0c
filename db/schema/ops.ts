import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { auditOutcome, idempotencyState } from "./enums";
import { tstz } from "./common";
import { createdAt, updatedAt, merchantPk, merchantIndex, requestClient, merchantTable } from "./columns";

/**
 * Idempotency-Key records: the first response (status and body, errors included)
 * is stored and replayed; the same key with other parameters is refused.
 * scope is the caller (terminal id for the API, user id for the console).
 */
export const idempotencyKeys = merchantTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    state: idempotencyState("state").notNull().default("in_progress"),
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    createdAt: createdAt(),
    completedAt: tstz("completed_at"),
  },
  (t) => [
    merchantPk(t, t.scope, t.key),
    merchantIndex("idempotency_keys_created", t, t.createdAt),
  ],
);

/**
 * Append-only audit trail (trigger refuses UPDATE/DELETE). merchant_id is null for
 * events before a merchant is known (e.g. a failed sign-in of an unknown email),
 * which is why this table is keyed by its own id.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: text("merchant_id"),
    actorUserId: text("actor_user_id"),
    actorEmail: text("actor_email"),
    // e.g. "auth.login", "refund.create", "export.download"
    action: text("action").notNull(),
    outcome: auditOutcome("outcome").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ...requestClient(),
    details: jsonb("details").notNull().default(sql`'{}'::jsonb`),
    createdAt: createdAt(),
  },
  (t) => [
    merchantIndex("audit_events_merchant", t, t.createdAt),
    index("audit_events_actor").on(t.actorUserId, t.createdAt),
  ],
);

/** Small key/value store for the app itself (seed version, job leases). */
export const systemState = pgTable(
  "system_state",
  {
    key: text("key").notNull(),
    value: jsonb("value").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.key] })],
);

/**
 * Job-queue worker liveness (graphile-worker keeps its jobs in its own schema). Each
 * running worker beats here; a worker whose beat is older than the limit is dead
 * (killed, crashed, its machine gone), and the next sweep unlocks its jobs
 * (graphile_worker.force_unlock_workers) so another worker runs them.
 */
export const jobWorkers = pgTable("job_workers", {
  workerId: text("worker_id").primaryKey(),
  host: text("host").notNull(),
  pid: integer("pid").notNull(),
  startedAt: tstz("started_at").notNull().defaultNow(),
  heartbeatAt: tstz("heartbeat_at").notNull().defaultNow(),
});
