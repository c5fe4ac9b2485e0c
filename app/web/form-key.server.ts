/**
 * One-time form keys for console forms whose answer cannot be redirected (it shows a secret
 * once: a new webhook endpoint's signing secret, a rotated terminal key). The loader renders
 * a fresh key into the form; the action runs the change once per key (the idempotency
 * table, scoped to the person). Refreshing the page after the answer re-sends the same
 * form with the same key: the change is not made again, and the action redirects to
 * `replayed` (Post/Redirect/Get) where the page says it was already done. The stored
 * answer is only what that redirect needs, never the secret.
 */
import crypto from "node:crypto";
import type { AppContext } from "~/modules/access/context";
import { fingerprint, validKey, withIdempotency } from "~/modules/idempotency/idempotency.server";

export function newFormKey(): string {
  return crypto.randomUUID();
}

export type OnceOutcome<T> =
  /** First time: run's own result. */
  | { kind: "ran"; result: T }
  /** This key already did it: `stored` is what run returned as `remember`. */
  | { kind: "replayed"; stored: Record<string, string> }
  /** The first submit with this key is still running. */
  | { kind: "in_progress" };

/**
 * Runs `run` once per (person, form key). `run` says whether the change happened
 * (`remember`: what a replay needs) or not (null: a refusal, the key stays free for a corrected retry).
 * Without a usable key (a form without one), it just runs.
 */
export async function oncePerFormKey<T>(
  ctx: AppContext,
  form: FormData,
  where: string,
  run: () => Promise<{ result: T; remember: Record<string, string> | null }>,
): Promise<OnceOutcome<T>> {
  const key = form.get("formKey");
  if (typeof key !== "string" || !validKey(key)) return { kind: "ran", result: (await run()).result };
  let result: T | undefined;
  const outcome = await withIdempotency(
    { merchantId: ctx.scope.merchantId, scope: `user:${ctx.user.id}`, key, method: "POST", path: where, fingerprint: fingerprint({ where, key }) },
    async () => {
      const r = await run();
      result = r.result;
      return r.remember ? { status: 200, body: r.remember } : { status: 400, body: {}, store: false };
    },
  );
  if (!outcome.replayed) {
    if (outcome.status === 409) return { kind: "in_progress" };
    return { kind: "ran", result: result as T };
  }
  return { kind: "replayed", stored: outcome.body as Record<string, string> };
}
