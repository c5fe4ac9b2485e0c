/**
 * Browsers a person has signed in from. The browser keeps a long-lived random token in a
 * cookie (the edge reads and writes it); the table keeps its SHA-256. A sign-in from a
 * browser without a known token is a new browser: the person is told by e-mail (unless
 * they switched that off), except on their very first sign-in.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { knownBrowsers, users } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import { deviceLabel } from "~/lib/i18n/messages";
import { deviceParts } from "~/lib/user-agent";
import type { Browser } from "~/lib/vocabulary";
import { sendMail } from "~/modules/mail/mailer.server";
import { consoleUrl, merchantInfo, readerOf, switchedOn, withFooter } from "~/modules/notifications/recipients.server";

/** How long the browser keeps its token (it is renewed at every sign-in). */
export const BROWSER_TOKEN_MAX_AGE_MS = 2 * 365 * 24 * 3600_000;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export interface BrowserCheck {
  /** The token the browser keeps from now on (the one it had, or a new one). */
  token: string;
  isNew: boolean;
  mailed: boolean;
}

/**
 * Called at a completed sign-in (in its transaction): records the browser, and mails the
 * person when it is new to them and they have signed in before.
 */
export async function recognizeBrowser(
  dbx: DbOrTx,
  from: Browser,
  who: { userId: string; merchantId: string; firstSignIn: boolean },
  now: Date,
): Promise<BrowserCheck> {
  const had = from.browserToken && /^[\w-]{20,100}$/.test(from.browserToken) ? from.browserToken : null;
  if (had) {
    const seen = await dbx
      .update(knownBrowsers)
      .set({ lastSeenAt: now, userAgent: from.userAgent ?? null, ip: from.ip ?? null })
      .where(and(eq(knownBrowsers.userId, who.userId), eq(knownBrowsers.tokenHash, hashOf(had))))
      .returning({ userId: knownBrowsers.userId });
    if (seen.length > 0) return { token: had, isNew: false, mailed: false };
  }
  // One browser token for every account signed in from this browser; a new one if it had none.
  const token = had ?? randomBytes(24).toString("base64url");
  await dbx
    .insert(knownBrowsers)
    .values({ userId: who.userId, tokenHash: hashOf(token), userAgent: from.userAgent ?? null, ip: from.ip ?? null, firstSeenAt: now, lastSeenAt: now })
    .onConflictDoNothing();
  if (who.firstSignIn) return { token, isNew: true, mailed: false };
  if (!(await switchedOn(dbx, who.merchantId, who.userId, "new_sign_in"))) return { token, isNew: true, mailed: false };
  const [user] = await dbx.select().from(users).where(eq(users.id, who.userId));
  const merchant = await merchantInfo(dbx, who.merchantId);
  if (!user || !merchant) return { token, isNew: true, mailed: false };
  const r = readerOf(user, merchant);
  await sendMail(dbx, {
    to: user.email,
    locale: r.prefs.locale === "fa" ? "fa" : "en",
    kind: "new_sign_in",
    subject: r.t("mail.newSignIn.subject"),
    body: withFooter(
      r,
      merchant.name,
      `${r.t("mail.newSignIn.body", { email: user.email, date: r.fmt.dateTime(now), browser: deviceLabel(r.t, deviceParts(from.userAgent)), ip: from.ip ?? "—" })}\n${consoleUrl("/settings/security")}`,
    ),
  });
  return { token, isNew: true, mailed: true };
}
