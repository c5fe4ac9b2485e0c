/**
 * Idempotency-Key handling with the semantics merchants know from the leading APIs:
 * - the first response (status and body, errors included) is stored and replayed for
 *   the same key;
 * - the same key with different parameters (or on another endpoint) is refused (422);
 * - concurrent requests with one key execute once: the first claims the key with an
 *   INSERT ... ON CONFLICT DO NOTHING, the others wait for its response and replay it;
 * - a request refused before doing anything (validation) is not stored, so the client
 *   can fix it and retry with the same key;
 * - keys are pruned after 24 hours;
 * - a key whose request died (its process was killed, or the database went away before
 *   the outcome was stored) is recovered, never left "in progress": see recoverKey().
 * The payments and refunds tables carry the key too (unique per merchant), a second
 * line of defence if a stored response is ever lost mid-flight.
 */
import crypto from "node:crypto";
import os from "node:os";
import { and, eq, lt, sql } from "drizzle-orm";
import { idempotencyKeys } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { env } from "~/lib/env.server";
import { commitWithoutFlushWait, preparedOnce, preparedSql } from "~db/prepared.server";

export const KEY_MAX_LENGTH = 255;

export interface IdempotentRequest {
  merchantId: string;
  /** Who may replay it: "term_..." for an API key, "user:usr_..." for a console user. */
  scope: string;
  key: string;
  method: string;
  path: string;
  /** fingerprint() of the parsed parameters. */
  fingerprint: string;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotentResponse extends StoredResponse {
  replayed: boolean;
}

export interface RunResult extends StoredResponse {
  /** false: nothing happened (validation refused it); do not keep the key. */
  store?: boolean;
  /** true: this response was stored by Attempt.storeIn in the transaction that did the work, which committed. */
  stored?: boolean;
}

export interface Attempt {
  /**
   * true: an earlier request with this key began and died (its process was killed, or it
   * failed before its answer was stored). What it did may already be done: a capture or
   * void finds the payment captured or voided, and that is this key's answer.
   */
  resumed: boolean;
  /**
   * Sends the response to store under this key as a statement of the caller's transaction
   * (one statement, for pipelinedTx): the outcome and its stored answer commit together, with
   * no round trip of their own. The run then returns that response with `stored: true`, and
   * only if that transaction committed. (Absent when the request has no key.)
   */
  storeIn?(tx: DbOrTx, response: StoredResponse): Promise<unknown>;
}

export const idempotencyConfig = {
  /** How long a waiting duplicate polls for the first request's response. */
  waitMs: 30_000,
  pollMs: 25,
  /**
   * An in-progress claim older than this is abandoned and may be taken over. A claim whose
   * process is gone (same host) is taken over at once, whatever its age.
   */
  staleMs: env.IDEMPOTENCY_STALE_MS,
  retentionMs: 24 * 60 * 60 * 1000,
};

/** A key the client may use: 1-255 printable ASCII characters. */
export function validKey(key: string): boolean {
  return key.length >= 1 && key.length <= KEY_MAX_LENGTH && /^[\x21-\x7e]+$/.test(key);
}

/** Canonical JSON (sorted keys, bigint as string) hashed: equal parameters, equal fingerprint. */
export function fingerprint(value: unknown): string {
  return crypto.createHash("sha256").update(canonical(value)).digest("hex");
}

function canonical(v: unknown): string {
  if (v === undefined) return "null";
  if (typeof v === "bigint") return JSON.stringify(v.toString());
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reused(): StoredResponse {
  return {
    status: 422,
    body: {
      error: {
        type: "idempotency_error",
        code: "idempotency_key_reused",
        message:
          "This Idempotency-Key was already used with different parameters or on another endpoint. Use a new key for a new request.",
        param: "Idempotency-Key",
      },
    },
  };
}

function inUse(): StoredResponse {
  return {
    status: 409,
    body: {
      error: {
        type: "idempotency_error",
        code: "idempotency_key_in_use",
        message: "A request with this Idempotency-Key is still being processed. Retry in a moment to get its result.",
        param: "Idempotency-Key",
      },
    },
  };
}

/**
 * Who holds an in-progress key: this host and process. Stored in response_body while the
 * request runs (it is replaced by the response), so a retry can tell a live request from
 * one whose process died without waiting for the key to go stale.
 */
interface Owner {
  host: string;
  pid: number;
}
const me: Owner = { host: os.hostname(), pid: process.pid };
/** Keys this process is executing right now ("merchant|scope|key"). */
const inFlight = new Set<string>();
const flightKey = (r: { merchantId: string; scope: string; key: string }) => `${r.merchantId}|${r.scope}|${r.key}`;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when the request holding this in-progress key can no longer finish it. */
export function ownerGone(row: { merchantId: string; scope: string; key: string; responseBody: unknown }): boolean {
  // Its request failed and gave it up (any host): a retry takes it over at once.
  if ((row.responseBody as { abandoned?: unknown } | null)?.abandoned === true) return true;
  const owner = (row.responseBody as { owner?: Owner } | null)?.owner;
  if (!owner || typeof owner.pid !== "number" || owner.host !== me.host) return false;
  if (owner.pid === me.pid) return !inFlight.has(flightKey(row));
  return !pidAlive(owner.pid);
}

/**
 * The claim's values for a statement that claims the key as part of its own work (the API
 * key's lookup, api-auth.server.ts: one round trip for both). `markClaimed` must be called
 * in the same continuation as the statement's answer when it did claim (a duplicate of this
 * process then sees the key in flight), and withIdempotency is then called with claimed: true.
 */
export function claimValues(req: IdempotentRequest, now: Date) {
  return {
    key: req.key,
    requestHash: req.fingerprint,
    method: req.method,
    path: req.path,
    responseBody: JSON.stringify({ owner: me }),
    createdAt: now.toISOString(),
  };
}

export function markClaimed(req: Pick<IdempotentRequest, "merchantId" | "scope" | "key">): void {
  inFlight.add(flightKey(req));
}


/**
 * The claim, built once per process (db/prepared.server.ts): every POST with a key runs it.
 * Its commit does not wait for the WAL flush (commitWithoutFlushWait): a claim is never what a
 * client is answered on. Every claimed request ends in a synchronous commit before its answer
 * leaves (its payment or refund, the stored answer, the key's release or abandonment), which
 * flushes the claim too; a claim lost in a crash of the database before that is a request
 * that never arrived (nothing was written under it), and the client's retry claims again.
 */
const claimStatement = preparedSql<{ key: string }>(
  () => sql`insert into idempotency_keys (merchant_id, scope, key, request_hash, method, path, state, response_body, created_at)
    select ${sql.placeholder("merchantId")}, ${sql.placeholder("scope")}, ${sql.placeholder("key")}, ${sql.placeholder("requestHash")},
      ${sql.placeholder("method")}, ${sql.placeholder("path")}, 'in_progress', ${sql.placeholder("responseBody")}::text::jsonb,
      ${sql.placeholder("createdAt")}::timestamptz
    where ${commitWithoutFlushWait}
    on conflict do nothing
    returning key`,
);

async function claim(req: IdempotentRequest, now: Date): Promise<boolean> {
  const inserted = await claimStatement(db(), { merchantId: req.merchantId, scope: req.scope, ...claimValues(req, now) });
  return inserted.length > 0;
}

/** The stored response, built once per process: every POST with a key runs it. */
const completeStatement = preparedOnce((d) =>
  d
    .update(idempotencyKeys)
    .set({
      state: "completed",
      // Placeholders in set() are encoded by their column like values (drizzle's types only know values).
      responseStatus: sql.placeholder("status") as unknown as number,
      responseBody: sql.placeholder("body"),
      completedAt: sql.placeholder("completedAt") as unknown as Date,
    })
    .where(
      and(
        eq(idempotencyKeys.merchantId, sql.placeholder("merchantId")),
        eq(idempotencyKeys.scope, sql.placeholder("scope")),
        eq(idempotencyKeys.key, sql.placeholder("key")),
      ),
    )
    .prepare("idempotency_complete"),
);

function where(req: IdempotentRequest) {
  return and(
    eq(idempotencyKeys.merchantId, req.merchantId),
    eq(idempotencyKeys.scope, req.scope),
    eq(idempotencyKeys.key, req.key),
  );
}

async function release(req: IdempotentRequest): Promise<void> {
  await db()
    .delete(idempotencyKeys)
    .where(and(where(req), eq(idempotencyKeys.state, "in_progress")));
}

/**
 * Runs a write about a failed request's key in the background, retrying while the database
 * is away (doubling from 100 ms to 1 s apart; the retry of a client then finds the key in its
 * new state within moments of the database coming back). Gives up after the stale window:
 * by then any process may take the key over.
 */
function retrySoon(write: () => Promise<void>): void {
  const until = Date.now() + idempotencyConfig.staleMs;
  const attempt = (delay: number) => {
    setTimeout(() => {
      write().catch(() => {
        if (Date.now() < until) attempt(Math.min(delay * 2, 1000));
      });
    }, delay).unref();
  };
  attempt(100);
}

/** Frees a key whose request failed (retrySoon). */
function releaseSoon(req: IdempotentRequest): void {
  retrySoon(() => release(req));
}

/**
 * Marks a key whose request failed after it may have done something as abandoned (still
 * in progress, owned by no one): the retry takes it over at once, on any process, and
 * runs knowing it resumes (see Attempt). Retried while the database is away.
 */
async function abandon(req: IdempotentRequest): Promise<void> {
  await db()
    .update(idempotencyKeys)
    .set({ responseBody: { abandoned: true, owner: me } })
    .where(and(where(req), eq(idempotencyKeys.state, "in_progress")));
}

function abandonSoon(req: IdempotentRequest): void {
  retrySoon(() => abandon(req));
}

/**
 * A claim whose answer never came (the connection failed after the statement was sent): it
 * may have been inserted, owned by this process but run by no request. Left so, a retry on
 * another process would wait for it to go stale (IDEMPOTENCY_STALE_MS) while its client
 * timed out; it is marked abandoned instead, if it is there and still this claim (its time
 * and owner: a retry that took it over since has changed both), retried while the database
 * is away. `target`: the key's merchant and terminal, or, when the claim was the API key's
 * own statement (which finds them), that API key's hash.
 */
export function abandonLostClaim(
  target: { merchantId: string; scope: string } | { apiKeyHash: string },
  claim: { key: string; createdAt: string; responseBody: string },
): void {
  const until = Date.now() + idempotencyConfig.staleMs;
  const whose =
    "apiKeyHash" in target
      ? sql`(merchant_id, scope) in (select merchant_id, terminal_id from api_keys where key_hash = ${target.apiKeyHash})`
      : sql`merchant_id = ${target.merchantId} and scope = ${target.scope}`;
  const attempt = (delay: number) => {
    setTimeout(() => {
      db()
        .execute(
          sql`update idempotency_keys set response_body = ${JSON.stringify({ abandoned: true, owner: me })}::jsonb
            where ${whose} and key = ${claim.key} and state = 'in_progress'
              and created_at = ${claim.createdAt}::timestamptz and response_body = ${claim.responseBody}::jsonb`,
        )
        .catch(() => {
          if (Date.now() < until) attempt(Math.min(delay * 2, 1000));
        });
    }, delay).unref();
  };
  attempt(100);
}

async function execute(req: IdempotentRequest, run: (attempt: Attempt) => Promise<RunResult>, resumed: boolean): Promise<IdempotentResponse> {
  let result: RunResult;
  const id = flightKey(req);
  inFlight.add(id);
  const storeIn = (tx: DbOrTx, response: StoredResponse) =>
    completeStatement(tx, {
      status: response.status,
      body: response.body as Record<string, unknown>,
      completedAt: new Date(),
      merchantId: req.merchantId,
      scope: req.scope,
      key: req.key,
    });
  try {
    try {
      result = await run({ resumed, storeIn });
    } catch (e) {
      // Unknown failure, perhaps after the work was done (the database went away before the
      // answer was stored): the key is given up, not freed, so the retry knows it resumes.
      // The payment/refund rows' own unique keys stop a second charge and answer with that
      // payment or refund; a capture or void answers with the payment it finds done.
      await abandon(req).catch(() => abandonSoon(req));
      throw e;
    }
    if (result.store === false) {
      await release(req).catch((e) => {
        releaseSoon(req);
        throw e;
      });
      return { status: result.status, body: result.body, replayed: false };
    }
  } finally {
    inFlight.delete(id);
  }
  if (result.stored) return { status: result.status, body: result.body, replayed: false };
  try {
    await completeStatement(db(), {
      status: result.status,
      body: result.body as Record<string, unknown>,
      completedAt: new Date(),
      merchantId: req.merchantId,
      scope: req.scope,
      key: req.key,
    });
  } catch (e) {
    // The outcome happened but could not be stored: give the key up; the retry resumes and
    // answers from the payment or refund row (found by its own idempotency key) or, for a
    // capture or void, from the payment it finds done.
    abandonSoon(req);
    throw e;
  }
  return { status: result.status, body: result.body, replayed: false };
}

export async function withIdempotency(
  req: IdempotentRequest,
  run: (attempt: Attempt) => Promise<RunResult>,
  /**
   * The claim was already tried by another statement (claimValues): true, it claimed the key
   * (and markClaimed was called); false, the key was there already.
   */
  claimed?: boolean,
): Promise<IdempotentResponse> {
  const started = Date.now();
  let tried = claimed !== undefined;
  if (claimed) return execute(req, run, false);
  for (;;) {
    const now = new Date();
    if (tried) tried = false;
    else if (
      await claim(req, now).catch((e) => {
        const values = claimValues(req, now);
        abandonLostClaim({ merchantId: req.merchantId, scope: req.scope }, values);
        throw e;
      })
    )
      return execute(req, run, false);

    const [row] = await db().select().from(idempotencyKeys).where(where(req));
    if (!row) continue; // released between our insert and select: try to claim again
    if (row.requestHash !== req.fingerprint || row.method !== req.method || row.path !== req.path) {
      return { ...reused(), replayed: false };
    }
    if (row.state === "completed") {
      return { status: row.responseStatus ?? 200, body: row.responseBody, replayed: true };
    }
    if (now.getTime() - row.createdAt.getTime() > idempotencyConfig.staleMs || ownerGone(row)) {
      // Compare-and-set on created_at: of several waiters, one takes the abandoned key over.
      const taken = await db()
        .update(idempotencyKeys)
        .set({ createdAt: now, responseBody: { owner: me } })
        .where(and(where(req), eq(idempotencyKeys.state, "in_progress"), lt(idempotencyKeys.createdAt, new Date(row.createdAt.getTime() + 1))))
        .returning({ key: idempotencyKeys.key });
      if (taken.length > 0) return execute(req, run, true);
    }
    if (Date.now() - started > idempotencyConfig.waitMs) return { ...inUse(), replayed: false };
    await sleep(idempotencyConfig.pollMs);
  }
}

/** Drops keys older than the retention window (24 h); returns how many. */
export async function pruneIdempotencyKeys(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - idempotencyConfig.retentionMs);
  const r = await db()
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, cutoff))
    .returning({ key: idempotencyKeys.key });
  return r.length;
}


export interface AbandonedKey {
  merchantId: string;
  scope: string;
  key: string;
  method: string;
  path: string;
}

/** Rebuilds the stored response of an abandoned key from what its request left (a payment, a refund); null: nothing there. */
export type KeyRebuilder = (row: AbandonedKey) => Promise<StoredResponse | null>;

/**
 * Recovers keys whose request died: the ones past the stale window, and those whose
 * process is gone (same host). When the payment or refund they were creating exists, the
 * stored response is rebuilt from it (so a retry, even with other parameters, is answered
 * as the first request would have been); otherwise the key is released and a retry runs.
 * Run at start-up and by the scheduler. Returns how many keys were rebuilt and released.
 */
export async function recoverAbandonedKeys(
  rebuild: KeyRebuilder,
  now = new Date(),
): Promise<{ rebuilt: number; released: number }> {
  const stale = new Date(now.getTime() - idempotencyConfig.staleMs);
  const rows = await db().select().from(idempotencyKeys).where(eq(idempotencyKeys.state, "in_progress")).limit(1000);
  let rebuilt = 0;
  let released = 0;
  for (const row of rows) {
    if (!(row.createdAt < stale || ownerGone(row))) continue;
    const claimedAt = row.createdAt;
    const same = and(
      eq(idempotencyKeys.merchantId, row.merchantId),
      eq(idempotencyKeys.scope, row.scope),
      eq(idempotencyKeys.key, row.key),
      eq(idempotencyKeys.state, "in_progress"),
      // Untouched since we read it (a waiting retry may have taken it over meanwhile).
      lt(idempotencyKeys.createdAt, new Date(claimedAt.getTime() + 1)),
    );
    const response = await rebuild(row);
    if (response) {
      const done = await db()
        .update(idempotencyKeys)
        .set({ state: "completed", responseStatus: response.status, responseBody: response.body as Record<string, unknown>, completedAt: now })
        .where(same)
        .returning({ key: idempotencyKeys.key });
      rebuilt += done.length;
    } else {
      const gone = await db().delete(idempotencyKeys).where(same).returning({ key: idempotencyKeys.key });
      released += gone.length;
    }
  }
  return { rebuilt, released };
}

/** Replaces a completed key's stored response (a pending outcome that has since been completed). */
export async function restoreResponse(req: Pick<IdempotentRequest, "merchantId" | "scope" | "key">, response: StoredResponse): Promise<void> {
  await db()
    .update(idempotencyKeys)
    .set({ responseStatus: response.status, responseBody: response.body as Record<string, unknown> })
    .where(and(where(req as IdempotentRequest), eq(idempotencyKeys.state, "completed")));
}
