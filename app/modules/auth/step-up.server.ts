/**
 * Step-up: a signed-in member proves again who they are (password, or a TOTP / recovery
 * code when two-factor is on) before a sensitive action. A success marks the session
 * verified (the web edge decides how long that lasts: STEP_UP_WINDOW_MS); every attempt
 * is audited.
 */
import { eq } from "drizzle-orm";
import { db, type DbOrTx } from "~db/client.server";
import { users } from "~db/schema";
import type { Client } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { verifyPassword } from "./password.server";
import { markVerified } from "./session.server";
import { consumeTotp } from "./totp.server";

export async function verifyStepUp(
  ctx: AppContext,
  proof: { password: string | null; code: string | null },
  from: { client: Client; path: string },
  now = new Date(),
  dbx: DbOrTx = db(),
): Promise<{ ok: boolean; method: "totp" | "password" | null }> {
  const user = await dbx.query.users.findFirst({ where: eq(users.id, ctx.user.id) });
  let ok = false;
  let method: "totp" | "password" | null = null;
  if (proof.code && proof.code.trim() && user?.totpEnabledAt) {
    method = "totp";
    ok = (await consumeTotp(dbx, user, proof.code, now)) === "ok";
  } else if (proof.password) {
    method = "password";
    ok = await verifyPassword(user?.passwordHash, proof.password);
  }
  if (method) {
    await audit(dbx, {
      actor: ctx,
      action: "auth.step_up",
      outcome: ok ? "success" : "failure",
      details: { method, path: from.path },
      client: from.client,
    });
  }
  if (ok) {
    await markVerified(dbx, ctx.session.id, now);
    ctx.session.verifiedAt = now;
  }
  return { ok, method };
}
