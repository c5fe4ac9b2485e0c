/**
 * Public sign-up: creates the owner's user, a merchant in `pending` with the settlement
 * schedule its country implies, the owner membership, and a signed-in session. The
 * merchant takes no payments until onboarding is complete (onboarding.server.ts).
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { memberships, merchants, users } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { isValidTimeZone } from "~/lib/dates/zones";
import { newId } from "~/lib/ids";
import { audit } from "~/modules/audit/audit.server";
import { findUserByEmail } from "~/modules/auth/login.server";
import { hashPassword, passwordProblem } from "~/modules/auth/password.server";
import type { Client } from "~/lib/vocabulary";
import { hit } from "~/modules/auth/rate-limit.server";
import { createSession, type NewSession } from "~/modules/auth/session.server";
import { defaultSchedule } from "~/modules/settlements/calendar";
import { ensureHolidayCalendars } from "~/modules/settlements/holidays.server";

/** Where a merchant can be based today: its currency, usual time zone and holiday calendar. */
export const SIGNUP_COUNTRIES = {
  IR: { name: "Iran", currency: "IRR", timeZone: "Asia/Tehran" },
  US: { name: "United States", currency: "USD", timeZone: "America/New_York" },
  DE: { name: "Germany", currency: "EUR", timeZone: "Europe/Berlin" },
  GB: { name: "United Kingdom", currency: "GBP", timeZone: "Europe/London" },
  AE: { name: "United Arab Emirates", currency: "AED", timeZone: "Asia/Dubai" },
} as const;
export type SignupCountry = keyof typeof SIGNUP_COUNTRIES;

export const SIGNUPS_PER_IP = 10;
export const SIGNUP_WINDOW_MS = 60 * 60 * 1000;

export const signupSchema = z.object({
  businessName: z.string().trim().min(2, "Enter your business name.").max(100, "Keep the business name under 100 characters."),
  ownerName: z.string().trim().min(1, "Enter your name.").max(100, "Keep your name under 100 characters."),
  email: z.string().trim().max(254, "That email address is too long.").email("Enter an email address like name@example.com."),
  password: z.string().max(1024, "That password is too long."),
  country: z.enum(Object.keys(SIGNUP_COUNTRIES) as [SignupCountry, ...SignupCountry[]], { message: "Choose the country your business is based in." }),
  timeZone: z.string().trim().optional(),
  locale: z.enum(["en", "fa"]).optional(),
});
export type SignupInput = z.input<typeof signupSchema>;

export type SignupResult =
  | { kind: "created"; merchantId: string; userId: string; session: NewSession }
  | { kind: "invalid"; field: string; message: string }
  | { kind: "rate_limited"; message: string; retryAfterSeconds: number };

export async function signUp(client: Client, input: SignupInput, opts: { now?: Date; dbx?: DbOrTx } = {}): Promise<SignupResult> {
  const dbx = opts.dbx ?? db();
  const now = opts.now ?? new Date();
  const parsed = signupSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: "invalid", field: String(issue.path[0] ?? "email"), message: issue.message };
  }
  const v = parsed.data;
  const weak = passwordProblem(v.password);
  if (weak) return { kind: "invalid", field: "password", message: weak };
  const country = SIGNUP_COUNTRIES[v.country];
  const timeZone = v.timeZone || country.timeZone;
  if (!isValidTimeZone(timeZone)) return { kind: "invalid", field: "timeZone", message: "Choose a time zone from the list, like Asia/Tehran." };

  // Sign-ups from one network are limited: it keeps scripted account creation (and
  // probing which emails exist) slow.
  const limit = await hit(dbx, `signup:ip:${client.ip ?? "unknown"}`, SIGNUP_WINDOW_MS, now);
  if (limit.count > SIGNUPS_PER_IP) {
    const wait = Math.max(1, Math.ceil((limit.resetsAt.getTime() - now.getTime()) / 1000));
    return { kind: "rate_limited", message: `Too many sign-ups from your network. Try again in ${Math.ceil(wait / 60)} minutes.`, retryAfterSeconds: wait };
  }
  const email = v.email.toLowerCase();
  const taken = { kind: "invalid" as const, field: "email", message: "An account with this email already exists. Sign in instead, or use another email." };
  if (await findUserByEmail(dbx, email)) return taken;

  const passwordHash = await hashPassword(v.password);
  const schedule = defaultSchedule({ currency: country.currency, country: v.country });
  const merchantId = newId("mer", now);
  const userId = newId("usr", now);
  await ensureHolidayCalendars(dbx);
  try {
    await dbx.transaction(async (tx) => {
      await tx.insert(users).values({
        id: userId,
        email,
        name: v.ownerName,
        passwordHash,
        passwordChangedAt: now,
        createdAt: now,
        updatedAt: now,
      });
      await tx.insert(merchants).values({
        id: merchantId,
        name: v.businessName,
        status: "pending",
        country: v.country,
        timeZone,
        currency: country.currency,
        defaultLocale: v.locale ?? "en",
        contactEmail: email,
        settlementCutoff: schedule.cutoff,
        settlementDelayDays: schedule.delayDays,
        weekendDays: schedule.weekendDays,
        holidayCalendar: schedule.holidayCalendar,
        createdAt: now,
        updatedAt: now,
      });
      await tx.insert(memberships).values({ merchantId, userId, role: "owner", status: "active", createdAt: now, updatedAt: now });
      await audit(tx, {
        merchantId,
        actor: { userId, email },
        action: "merchant.signup",
        outcome: "success",
        targetType: "merchant",
        targetId: merchantId,
        details: { name: v.businessName, country: v.country, currency: country.currency, timeZone },
        client,
      });
    });
  } catch (e) {
    // Two sign-ups with the same email at once: the unique index decides.
    const err = e as { message?: string; code?: string; cause?: { message?: string; code?: string } };
    if (err.code === "23505" || err.cause?.code === "23505" || /users_email_lower/.test(`${err.message} ${err.cause?.message}`)) return taken;
    throw e;
  }
  const session = await createSession(dbx, client, { userId, merchantId, verified: true, now });
  await dbx.execute(sql`update users set last_login_at = ${now.toISOString()}::timestamptz where id = ${userId}`);
  return { kind: "created", merchantId, userId, session };
}
