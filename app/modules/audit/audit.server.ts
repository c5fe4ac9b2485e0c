import { sql } from "drizzle-orm";
import { auditEvents } from "~db/schema";
import { preparedOnce } from "~db/prepared.server";
import type { DbOrTx } from "~db/client.server";
import type { Actor, Client } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";

export type AuditOutcome = "success" | "failure" | "denied";

/** Before anyone is signed in (sign-in, password reset, accepting an invitation): the person as typed or found. */
export interface AuditPerson {
  userId?: string | null;
  email?: string | null;
}

export interface AuditEvent {
  merchantId?: string | null;
  /** Who acted: an Actor, the signed-in member's AppContext, or a person not signed in yet. */
  actor?: Actor | AppContext | AuditPerson;
  action: string;
  outcome: AuditOutcome;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  client?: Client;
}

function isContext(a: AuditEvent["actor"]): a is AppContext {
  return !!a && typeof a === "object" && "scope" in a && "user" in a;
}

/**
 * How the trail names an actor, the one place it is decided: a member by their user id and
 * e-mail, an API key's terminal as `api:<terminal id>`, the system by nothing.
 */
function actorColumns(a: Actor): { userId: string | null; email: string | null } {
  switch (a.kind) {
    case "member":
      return { userId: a.member.user.id, email: a.member.user.email ?? null };
    case "terminal":
      return { userId: null, email: `api:${a.terminalId}` };
    case "system":
      return { userId: null, email: null };
  }
}

/**
 * Appends one event to the audit trail. The table refuses UPDATE/DELETE, so what is
 * written here stays. bigint values in details are stored as decimal strings (JSON has
 * no bigint).
 */
export async function audit(dbx: DbOrTx, e: AuditEvent): Promise<void> {
  await auditStatement(dbx, e);
}

/** The insert, built once per process (db/prepared.server.ts): parsed once per connection, not on every event. */
const insertStatement = preparedOnce((d) =>
  d
    .insert(auditEvents)
    .values({
      merchantId: sql.placeholder("merchantId"),
      actorUserId: sql.placeholder("actorUserId"),
      actorEmail: sql.placeholder("actorEmail"),
      action: sql.placeholder("action"),
      outcome: sql.placeholder("outcome"),
      targetType: sql.placeholder("targetType"),
      targetId: sql.placeholder("targetId"),
      ip: sql.placeholder("ip"),
      userAgent: sql.placeholder("userAgent"),
      details: sql.placeholder("details"),
    })
    .prepare("audit_insert"),
);

/**
 * audit() as one statement sent at once (not awaited here): for pipelinedTx, where an
 * event commits with the change it records, in the same round trip.
 */
export function auditStatement(dbx: DbOrTx, e: AuditEvent): Promise<unknown> {
  let userId: string | null = null;
  let email: string | null = null;
  let merchantId: string | null = e.merchantId ?? null;
  if (isContext(e.actor)) {
    userId = e.actor.user.id;
    email = e.actor.user.email;
    if (e.merchantId === undefined) merchantId = e.actor.scope.merchantId;
  } else if (e.actor && "kind" in e.actor) {
    ({ userId, email } = actorColumns(e.actor));
  } else if (e.actor) {
    userId = e.actor.userId ?? null;
    email = e.actor.email ?? null;
  }
  const client = e.client ?? (e.actor && "kind" in e.actor ? e.actor.client : undefined);
  return insertStatement(dbx, {
    merchantId,
    actorUserId: userId,
    actorEmail: email,
    action: e.action,
    outcome: e.outcome,
    targetType: e.targetType ?? null,
    targetId: e.targetId ?? null,
    ip: client?.ip ?? null,
    userAgent: client?.userAgent ?? null,
    details: jsonSafe(e.details ?? {}) as Record<string, unknown>,
  });
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  }
  return v;
}
