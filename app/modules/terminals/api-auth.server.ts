/**
 * Authenticating API requests by a terminal's secret key (sk_..., sent as Authorization: Bearer).
 * Only the key's SHA-256 is stored (api_keys.key_hash), so a leaked database does not
 * leak working keys; the lookup is by hash, so there is nothing to compare in
 * non-constant time. A revoked key, a deactivated terminal and a merchant that is not
 * active are all refused; what the key may see is its own merchant only.
 */
import crypto from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { apiKeys, merchants, terminals } from "~db/schema";
import { db, type Db } from "~db/client.server";
import { abandonLostClaim } from "~/modules/idempotency/idempotency.server";
import { commitWithoutFlushWait } from "~db/prepared.server";
import { failure, type Result, type Scope } from "~/lib/vocabulary";

export interface ApiPrincipal {
  merchantId: string;
  terminalId: string;
  terminalName: string;
  currency: string;
  scope: Scope;
  /**
   * The merchant's row as of this request, read by the same statement as the key: taking a
   * payment needs it (status, fee plan, time zone) and does not read it again.
   */
  merchant: typeof merchants.$inferSelect;
}

/**
 * The key's terminal and merchant in one prepared statement (parsed once per connection,
 * built once per process and database): no cache, so a revoked key, a deactivated terminal
 * or a suspended merchant is refused from the very next request, and the payment that
 * follows reads nothing of this again.
 */
const principalQueries = new WeakMap<Db, ReturnType<typeof principalQuery>>();
/** What both statements read of the key: its terminal and merchant. */
const principalColumns = {
  revokedAt: apiKeys.revokedAt,
  merchantId: apiKeys.merchantId,
  terminalId: apiKeys.terminalId,
  terminalName: terminals.name,
  terminalStatus: terminals.status,
  lastUsedAt: terminals.lastUsedAt,
  merchant: merchants,
};
function principalQuery(d: Db) {
  return d
    .select(principalColumns)
    .from(apiKeys)
    .innerJoin(terminals, and(eq(terminals.merchantId, apiKeys.merchantId), eq(terminals.id, apiKeys.terminalId)))
    .innerJoin(merchants, eq(merchants.id, apiKeys.merchantId))
    .where(eq(apiKeys.keyHash, sql.placeholder("hash")))
    .prepare("api_key_principal");
}

/**
 * The Idempotency-Key claim taken by the key's own statement (one round trip instead of
 * two): inserted only when the key authenticates (known, not revoked, terminal and
 * merchant active) and the request's currency is the merchant's, i.e. exactly when the
 * request would go on to claim it. Values as idempotency.server.ts's claimValues() gives them.
 * Its commit does not wait for the WAL flush, as the ordinary claim's (idempotency.server.ts).
 */
export interface KeyClaim {
  key: string;
  requestHash: string;
  method: string;
  path: string;
  /** JSON text of the in-progress owner. */
  responseBody: string;
  /** ISO time of the claim. */
  createdAt: string;
  currency: string;
}

const principalClaimQueries = new WeakMap<Db, ReturnType<typeof principalClaimQuery>>();
function principalClaimQuery(d: Db) {
  const v = (k: string) => sql.placeholder(k);
  const claim = d.$with("claim", { n: sql<number>`n` }).as(
    sql`insert into idempotency_keys (merchant_id, scope, key, request_hash, method, path, state, response_body, created_at)
      select k.merchant_id, k.terminal_id, ${v("key")}, ${v("requestHash")}, ${v("method")}, ${v("path")}, 'in_progress', ${v("responseBody")}::text::jsonb, ${v("createdAt")}::timestamptz
      from api_keys k
      join terminals t on t.merchant_id = k.merchant_id and t.id = k.terminal_id
      join merchants m on m.id = k.merchant_id
      where k.key_hash = ${v("hash")} and k.revoked_at is null and t.status = 'active' and m.status = 'active' and m.currency = ${v("currency")}
        and ${commitWithoutFlushWait}
      on conflict do nothing
      returning 1 as n`,
  );
  return d
    .with(claim)
    .select({ ...principalColumns, claimed: sql<number>`(select count(*) from ${claim})`.mapWith(Number) })
    .from(apiKeys)
    .innerJoin(terminals, and(eq(terminals.merchantId, apiKeys.merchantId), eq(terminals.id, apiKeys.terminalId)))
    .innerJoin(merchants, eq(merchants.id, apiKeys.merchantId))
    .where(eq(apiKeys.keyHash, sql.placeholder("hash")))
    .prepare("api_key_principal_claim");
}

/** With a KeyClaim, `claimed`: whether this statement claimed the key (false: it was already there). */
export type ApiAuthResult = Result<{ principal: ApiPrincipal; claimed?: boolean }>;

/** An API key that does not authenticate (401), or one whose terminal or merchant may not act (403). */
const unauthenticated = (code: string, message: string) => failure(401, code, message, null, "authentication_error");
const forbidden = (code: string, message: string) => failure(403, code, message, null, "permission_error");

export function hashApiKey(key: string): string {
  return crypto.createHash("sha256").update(key, "utf8").digest("hex");
}

/**
 * The terminal a secret key stands for (the web edge reads it from the request's
 * `Authorization: Bearer` header and answers a missing or malformed header itself).
 */
export async function authenticateApiKey(
  key: string,
  now = new Date(),
  /** Claim this Idempotency-Key in the same statement (see KeyClaim); `onClaimed` runs as soon as it is known to be claimed. */
  claim?: { values: KeyClaim; onClaimed: (who: { merchantId: string; terminalId: string }) => void },
): Promise<ApiAuthResult> {
  if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    return unauthenticated("api_key_invalid", "The API key is not valid.");
  }
  const d = db();
  let row: (Awaited<ReturnType<ReturnType<typeof principalQuery>["execute"]>>[number] & { claimed?: number }) | undefined;
  if (claim) {
    let query = principalClaimQueries.get(d);
    if (!query) principalClaimQueries.set(d, (query = principalClaimQuery(d)));
    const hash = hashApiKey(key);
    try {
      [row] = await query.execute({ hash, ...claim.values });
    } catch (e) {
      // The claim may have been inserted with its answer lost: not left for a retry to wait on.
      abandonLostClaim({ apiKeyHash: hash }, claim.values);
      throw e;
    }
    // In the same continuation as the answer: a duplicate request of this process must see it in flight.
    if (row?.claimed) claim.onClaimed(row);
  } else {
    let query = principalQueries.get(d);
    if (!query) principalQueries.set(d, (query = principalQuery(d)));
    [row] = await query.execute({ hash: hashApiKey(key) });
  }
  if (!row || row.revokedAt) {
    return unauthenticated("api_key_invalid", "The API key is not valid (unknown or revoked).");
  }
  if (row.terminalStatus !== "active") {
    return forbidden("terminal_inactive", `Terminal "${row.terminalName}" is deactivated; its API key no longer works.`);
  }
  if (row.merchant.status !== "active") {
    return forbidden("merchant_not_active", "This merchant account is not active.");
  }
  // "Last used" to the minute is plenty, and skipping the write otherwise keeps a burst
  // of requests from queueing on the terminal row.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    const touch = db()
      .update(terminals)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(terminals.merchantId, row.merchantId),
          eq(terminals.id, row.terminalId),
          or(isNull(terminals.lastUsedAt), lt(terminals.lastUsedAt, new Date(now.getTime() - 60_000))),
        ),
      );
    // A claimed key goes straight on to its request (nothing awaited between the claim and
    // its work); the minute's "last used" follows on its own.
    if (claim) void touch.execute().catch((e) => console.error("api key: last used not recorded:", (e as Error).message));
    else await touch;
  }
  return {
    ok: true,
    ...(claim ? { claimed: !!row.claimed } : {}),
    principal: {
      merchantId: row.merchantId,
      terminalId: row.terminalId,
      terminalName: row.terminalName,
      currency: row.merchant.currency,
      scope: { merchantId: row.merchantId },
      merchant: row.merchant,
    },
  };
}
