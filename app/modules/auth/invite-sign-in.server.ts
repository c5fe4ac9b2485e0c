import { eq } from "drizzle-orm";
import { db } from "~db/client.server";
import { users } from "~db/schema";
import { audit } from "~/modules/audit/audit.server";
import type { Browser } from "~/lib/vocabulary";
import { createSession, readSession, revokeSession, type NewSession } from "./session.server";

/**
 * After accepting an invitation the person is signed in on that merchant, unless their
 * account has two-factor sign-in: then they go through the login page like any sign-in.
 */
export async function signInAfterInvitation(from: Browser, accepted: { userId: string; merchantId: string }): Promise<NewSession> {
  const dbx = db();
  const user = await dbx.query.users.findFirst({ where: eq(users.id, accepted.userId) });
  const prev = await readSession(dbx, from.sessionToken);
  if (prev.status !== "none") await revokeSession(dbx, prev.row.id);
  const session = await createSession(dbx, from, {
    userId: accepted.userId,
    merchantId: accepted.merchantId,
    pendingSecondFactor: !!user?.totpEnabledAt,
    verified: !user?.totpEnabledAt,
  });
  if (!user?.totpEnabledAt) {
    await dbx.update(users).set({ lastLoginAt: new Date(), failedLoginCount: 0 }).where(eq(users.id, accepted.userId));
    await audit(dbx, {
      merchantId: accepted.merchantId,
      actor: { userId: accepted.userId, email: user?.email ?? null },
      action: "auth.login",
      outcome: "success",
      details: { method: "invitation" },
      client: from,
    });
  }
  return session;
}
