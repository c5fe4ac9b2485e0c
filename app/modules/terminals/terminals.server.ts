/**
 * Terminals: the list with today's sales (from the rollup), and the owner's changes:
 * create, rename, deactivate (its API key stops working at once), reactivate, and
 * rotate the API key. Keys are shown once: only their SHA-256 is stored
 * (api_keys.key_hash, looked up by app/modules/terminals/api-auth.server.ts).
 */
import type { Client } from "~/lib/vocabulary";
import type { Localized } from "~/lib/i18n/messages";
import crypto from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { db, rows, type Tx } from "~db/client.server";
import { apiKeys, terminals } from "~db/schema";
import { addLocalDays, localDateKey } from "~/lib/dates/zones";
import { newId } from "~/lib/ids";
import { audit } from "~/modules/audit/audit.server";
import { recordEvent, type EventType } from "~/modules/events/events.server";
import { serializeTerminal } from "~/modules/events/objects";
import { hashApiKey } from "./api-auth.server";
import type { Actor, Scope } from "~/lib/vocabulary";

export interface TerminalScope extends Scope {
  timeZone: string;
  currency: string;
}

export const SPARK_DAYS = 14;

export interface TerminalRow {
  id: string;
  name: string;
  location: string | null;
  kind: string;
  status: string;
  apiKeyPrefix: string | null;
  apiKeyLast4: string | null;
  apiKeyCreatedAt: string | null;
  hasActiveKey: boolean;
  lastUsedAt: string | null;
  createdAt: string;
  deactivatedAt: string | null;
  todayGross: string;
  todayCount: number;
  /** Gross per local day, oldest first, the last one today. */
  spark: { day: string; gross: string }[];
}

const ISO = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export async function listTerminals(scope: TerminalScope, now: Date = new Date()): Promise<TerminalRow[]> {
  const dbx = db();
  const today = localDateKey(now, scope.timeZone);
  const firstDay = localDateKey(addLocalDays(now, -(SPARK_DAYS - 1), scope.timeZone), scope.timeZone);
  const [list, daily] = await Promise.all([
    rows<{
      id: string;
      name: string;
      location: string | null;
      kind: string;
      status: string;
      api_key_prefix: string | null;
      api_key_last4: string | null;
      api_key_created_at: string | null;
      has_active_key: boolean;
      last_used_at: string | null;
      created_at: string;
      deactivated_at: string | null;
    }>(
      dbx,
      // The last payment per terminal is one index probe each on (merchant_id, terminal_id, created_at).
      sql`select t.id, t.name, t.location, t.kind::text as kind, t.status::text as status, t.api_key_prefix, t.api_key_last4,
            ${ISO("t.api_key_created_at")} as api_key_created_at,
            exists (select 1 from api_keys k where k.merchant_id = t.merchant_id and k.terminal_id = t.id and k.revoked_at is null) as has_active_key,
            ${ISO(`greatest(t.last_used_at, (select max(p.created_at) from payments p where p.merchant_id = t.merchant_id and p.terminal_id = t.id))`)} as last_used_at,
            ${ISO("t.created_at")} as created_at, ${ISO("t.deactivated_at")} as deactivated_at
          from terminals t where t.merchant_id = ${scope.merchantId}
          order by (t.status = 'active') desc, t.name, t.id`,
    ),
    rows<{ terminal_id: string; day: string; gross: string; captured: string }>(
      dbx,
      sql`select terminal_id, day::text as day, sum(captured_amount)::text as gross, sum(captured_count)::text as captured
          from sales_daily
          where merchant_id = ${scope.merchantId} and currency = ${scope.currency}
            and day between ${firstDay}::date and ${today}::date
          group by terminal_id, day`,
    ),
  ]);
  const days: string[] = [];
  for (let i = SPARK_DAYS - 1; i >= 0; i--) days.push(localDateKey(addLocalDays(now, -i, scope.timeZone), scope.timeZone));
  return list.map((t) => {
    const mine = daily.filter((d) => d.terminal_id === t.id);
    const todayRow = mine.find((d) => d.day === today);
    return {
      id: t.id,
      name: t.name,
      location: t.location,
      kind: t.kind,
      status: t.status,
      apiKeyPrefix: t.api_key_prefix,
      apiKeyLast4: t.api_key_last4,
      apiKeyCreatedAt: t.api_key_created_at,
      hasActiveKey: !!t.has_active_key,
      lastUsedAt: t.last_used_at,
      createdAt: t.created_at,
      deactivatedAt: t.deactivated_at,
      todayGross: todayRow?.gross ?? "0",
      todayCount: Number(todayRow?.captured ?? 0),
      spark: days.map((day) => ({ day, gross: mine.find((d) => d.day === day)?.gross ?? "0" })),
    };
  });
}

export async function getTerminal(scope: TerminalScope, id: string, now: Date = new Date()): Promise<TerminalRow | null> {
  // A merchant has a handful of terminals: the list query computes the same figures.
  const all = await listTerminals(scope, now);
  return all.find((t) => t.id === id) ?? null;
}

/* --------------------------------- Changes --------------------------------- */

export const terminalFieldsSchema = z.object({
  name: z
    .string({ required_error: "Give the terminal a name" })
    .trim()
    .min(1, "Give the terminal a name")
    .max(80, "Keep the name under 80 characters"),
  location: z
    .string()
    .trim()
    .max(120, "Keep the location under 120 characters")
    .optional()
    .transform((v) => (v ? v : null)),
});

export const createTerminalSchema = terminalFieldsSchema.extend({
  kind: z.enum(["virtual", "api"], { message: "Choose how the terminal takes payments" }),
});

/** A refusal: `message` in English (logs, API), `i18n` the same sentence as a catalog key for pages. */
export type TerminalResult<T = object> =
  | ({ ok: true } & T)
  | { ok: false; field?: string; message: string; status: 400 | 404 | 409; i18n?: Localized };

async function nameTaken(scope: Scope, name: string, exceptId?: string): Promise<boolean> {
  const found = await rows<{ id: string }>(
    db(),
    sql`select id from terminals where merchant_id = ${scope.merchantId} and status = 'active'
          and lower(name) = lower(${name}) ${exceptId ? sql`and id <> ${exceptId}` : sql``} limit 1`,
  );
  return found.length > 0;
}

function nameTakenRefusal(name: string): TerminalResult<never> {
  return {
    ok: false,
    status: 409,
    field: "name",
    message: `An active terminal is already called "${name}": choose another name.`,
    i18n: { key: "terminals.error.nameTaken", params: { name } },
  };
}

type TerminalChange = {
  actor: Actor;
  client?: Client;
  /** The audit trail's action (terminal.create...) and what it keeps of the change. */
  action: string;
  details: Record<string, unknown>;
  event: EventType;
};

/** What every change of a terminal writes after its row, in its transaction: the audit entry and the event with the row as it now is. */
async function recordChange(tx: Tx, scope: Scope, row: typeof terminals.$inferSelect, c: TerminalChange): Promise<void> {
  await audit(tx, {
    merchantId: scope.merchantId,
    actor: c.actor,
    action: c.action,
    outcome: "success",
    targetType: "terminal",
    targetId: row.id,
    details: c.details,
    client: c.client,
  });
  await recordEvent(tx, scope.merchantId, c.event, serializeTerminal(row));
}

async function updateTerminal(tx: Tx, scope: Scope, id: string, set: Partial<typeof terminals.$inferInsert>) {
  const [row] = await tx
    .update(terminals)
    .set(set)
    .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.id, id)))
    .returning();
  return row!;
}

/** Revokes the terminal's live API keys (refused from the next request); how many there were. */
async function revokeKeys(tx: Tx, scope: Scope, id: string, now: Date): Promise<number> {
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.merchantId, scope.merchantId), eq(apiKeys.terminalId, id), isNull(apiKeys.revokedAt)))
    .returning({ keyHash: apiKeys.keyHash });
  return revoked.length;
}

export async function createTerminal(
  scope: Scope,
  actor: Actor,
  input: z.output<typeof createTerminalSchema>,
  opts: { client?: Client; now?: Date } = {},
): Promise<TerminalResult<{ id: string }>> {
  if (await nameTaken(scope, input.name)) {
    return nameTakenRefusal(input.name);
  }
  const now = opts.now ?? new Date();
  const id = newId("term", now);
  await db().transaction(async (tx) => {
    const [row] = await tx
      .insert(terminals)
      .values({
        merchantId: scope.merchantId,
        id,
        name: input.name,
        location: input.location,
        kind: input.kind,
        status: "active",
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordChange(tx, scope, row!, {
      actor,
      client: opts.client,
      action: "terminal.create",
      details: { name: input.name, kind: input.kind, location: input.location },
      event: "terminal.created",
    });
  });
  return { ok: true, id };
}

async function findTerminal(scope: Scope, id: string) {
  const [t] = await db()
    .select()
    .from(terminals)
    .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.id, id)));
  return t ?? null;
}

const NOT_FOUND = (id: string): TerminalResult<never> => ({
  ok: false,
  status: 404,
  message: `No terminal ${id.slice(0, 80)} was found.`,
  i18n: { key: "terminals.error.notFound", params: { id: id.slice(0, 80) } },
});

export async function renameTerminal(
  scope: Scope,
  actor: Actor,
  id: string,
  input: z.output<typeof terminalFieldsSchema>,
  opts: { client?: Client; now?: Date } = {},
): Promise<TerminalResult> {
  const t = await findTerminal(scope, id);
  if (!t) return NOT_FOUND(id);
  if (await nameTaken(scope, input.name, id)) {
    return nameTakenRefusal(input.name);
  }
  const now = opts.now ?? new Date();
  await db().transaction(async (tx) => {
    const row = await updateTerminal(tx, scope, id, { name: input.name, location: input.location, updatedAt: now });
    await recordChange(tx, scope, row, {
      actor,
      client: opts.client,
      action: "terminal.rename",
      details: { from: { name: t.name, location: t.location }, to: input },
      event: "terminal.updated",
    });
  });
  return { ok: true };
}

/** Deactivates a terminal and revokes its API keys in the same transaction: the key is refused from the next request. */
export async function deactivateTerminal(
  scope: Scope,
  actor: Actor,
  id: string,
  opts: { client?: Client; now?: Date } = {},
): Promise<TerminalResult<{ revokedKeys: number }>> {
  const t = await findTerminal(scope, id);
  if (!t) return NOT_FOUND(id);
  if (t.status === "inactive") return { ok: true, revokedKeys: 0 };
  const now = opts.now ?? new Date();
  let revokedKeys = 0;
  await db().transaction(async (tx) => {
    const row = await updateTerminal(tx, scope, id, { status: "inactive", deactivatedAt: now, updatedAt: now });
    revokedKeys = await revokeKeys(tx, scope, id, now);
    await recordChange(tx, scope, row, {
      actor,
      client: opts.client,
      action: "terminal.deactivate",
      details: { name: t.name, revokedKeys },
      event: "terminal.deactivated",
    });
  });
  return { ok: true, revokedKeys };
}

/** Reactivates a terminal. Its old key stays revoked: an API terminal needs a new key. */
export async function reactivateTerminal(
  scope: Scope,
  actor: Actor,
  id: string,
  opts: { client?: Client; now?: Date } = {},
): Promise<TerminalResult<{ needsKey: boolean }>> {
  const t = await findTerminal(scope, id);
  if (!t) return NOT_FOUND(id);
  if (t.status === "active") return { ok: true, needsKey: false };
  if (await nameTaken(scope, t.name, id)) {
    return {
      ok: false,
      status: 409,
      field: "name",
      message: `Another active terminal is called "${t.name}": rename one of them first.`,
      i18n: { key: "terminals.error.nameClash", params: { name: t.name } },
    };
  }
  const now = opts.now ?? new Date();
  await db().transaction(async (tx) => {
    const row = await updateTerminal(tx, scope, id, { status: "active", deactivatedAt: null, updatedAt: now });
    await recordChange(tx, scope, row, { actor, client: opts.client, action: "terminal.reactivate", details: { name: t.name }, event: "terminal.reactivated" });
  });
  return { ok: true, needsKey: t.kind === "api" };
}

const KEY_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** sk_test_ + 32 random characters (~190 bits): the sandbox provider is the only one wired up. */
export function generateApiKey(): string {
  const bytes = crypto.randomBytes(32);
  let out = "";
  for (const b of bytes) out += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return `sk_test_${out}`;
}

/**
 * Issues a new API key for an API terminal and revokes the previous one in the same
 * transaction. Returns the key: the only time it is ever seen in full.
 */
export async function rotateTerminalKey(
  scope: Scope,
  actor: Actor,
  id: string,
  opts: { client?: Client; now?: Date } = {},
): Promise<TerminalResult<{ key: string; prefix: string; last4: string }>> {
  const t = await findTerminal(scope, id);
  if (!t) return NOT_FOUND(id);
  if (t.kind !== "api") {
    return { ok: false, status: 400, message: "The virtual terminal is used from this console and has no API key.", i18n: { key: "terminals.error.virtualNoKey" } };
  }
  if (t.status !== "active") {
    return {
      ok: false,
      status: 409,
      message: `Terminal "${t.name}" is deactivated: reactivate it before issuing a key.`,
      i18n: { key: "terminals.error.inactiveNoKey", params: { name: t.name } },
    };
  }
  const now = opts.now ?? new Date();
  const key = generateApiKey();
  const prefix = key.slice(0, 12);
  const last4 = key.slice(-4);
  await db().transaction(async (tx) => {
    const revokedKeys = await revokeKeys(tx, scope, id, now);
    await tx.insert(apiKeys).values({ keyHash: hashApiKey(key), merchantId: scope.merchantId, terminalId: id, createdAt: now });
    const row = await updateTerminal(tx, scope, id, { apiKeyPrefix: prefix, apiKeyLast4: last4, apiKeyCreatedAt: now, updatedAt: now });
    await recordChange(tx, scope, row, {
      actor,
      client: opts.client,
      action: "terminal.api_key_rotate",
      details: { name: t.name, prefix, last4, revokedKeys },
      event: "terminal.key_rotated",
    });
  });
  return { ok: true, key, prefix, last4 };
}
