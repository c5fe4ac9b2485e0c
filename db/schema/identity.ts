import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { membershipStatus, role } from "./enums";
import { bytea, tstz } from "./common";
import { merchantId, id, createdAt, updatedAt, merchantPk, merchantIndex, merchantUnique, timestamps, requestClient, merchantRowTable } from "./columns";
import { merchants } from "./merchants";

// Global: a person may work for several merchants.
export const users = pgTable(
  "users",
  {
    id: id().primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash"),
    // Preferences: null means "follow the merchant's default".
    locale: text("locale"),
    digits: text("digits"),
    irrDisplay: text("irr_display"),
    totpSecret: text("totp_secret"),
    totpEnabledAt: tstz("totp_enabled_at"),
    // Last accepted TOTP time step: a code is never accepted twice.
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    failedLoginCount: integer("failed_login_count").notNull().default(0),
    lockedUntil: tstz("locked_until"),
    lastLoginAt: tstz("last_login_at"),
    passwordChangedAt: tstz("password_changed_at"),
    ...timestamps(),
  },
  (t) => [uniqueIndex("users_email_lower").on(sql`lower(${t.email})`)],
);

/** The person a row belongs to (a user's codes, sessions, browsers, reset links, memberships). */
const userId = () =>
  text("user_id")
    .notNull()
    .references(() => users.id);

export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    userId: userId(),
    id: id(),
    codeHash: text("code_hash").notNull(),
    usedAt: tstz("used_at"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.id] })],
);

/** A person at a merchant: the key of memberships and of what hangs off one. */
const memberKey = () => ({
  merchantId: merchantId().references(() => merchants.id),
  userId: userId(),
});

export const memberships = pgTable(
  "memberships",
  {
    ...memberKey(),
    role: role("role").notNull(),
    status: membershipStatus("status").notNull().default("active"),
    invitedByUserId: text("invited_by_user_id"),
    ...timestamps(),
  },
  (t) => [merchantPk(t, t.userId), index("memberships_user").on(t.userId)],
);

// Server-side sessions: the cookie carries a random token, the table its SHA-256.
export const sessions = pgTable(
  "sessions",
  {
    id: id().primaryKey(),
    userId: userId(),
    merchantId: text("merchant_id"),
    csrfToken: text("csrf_token").notNull(),
    createdAt: createdAt(),
    lastSeenAt: tstz("last_seen_at").notNull().defaultNow(),
    expiresAt: tstz("expires_at").notNull(),
    // Password/TOTP confirmed at login or step-up; sensitive actions need it recent.
    verifiedAt: tstz("verified_at"),
    // Set after the password when a second factor is still owed.
    pendingSecondFactor: boolean("pending_second_factor").notNull().default(false),
    revokedAt: tstz("revoked_at"),
    ...requestClient(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const invitations = merchantRowTable(
  "invitations",
  {
    email: text("email").notNull(),
    role: role("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedByUserId: text("invited_by_user_id").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    acceptedAt: tstz("accepted_at"),
    revokedAt: tstz("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    merchantUnique("invitations_token", t, t.tokenHash),
  ],
  () => merchants.id,
);

// Fixed-window counters for login throttling (per IP, per account).
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: tstz("window_start").notNull(),
  count: integer("count").notNull().default(0),
});

/**
 * An outbox message's language (en | fa; Persian is sent right to left), what it is for (invite,
 * payout.paid, dunning, receipt...: the mailbox page's filter), a key that allows at most one
 * message per key (an event's notification per person, a day's summary, one dunning attempt's
 * notice: a sent-marker), and when it was sent.
 */
const outboxMessage = () => ({
  locale: text("locale"),
  kind: text("kind"),
  dedupeKey: text("dedupe_key"),
  sentAt: tstz("sent_at"),
});

/** An outbox message's sending tries: how many, and the last one's error. */
const sendTries = () => ({
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
});

// Outgoing mail (invitations, notifications, reports): an outbox. sendMail inserts the row
// and a send_mail job in the caller's transaction; the job sends it over SMTP (SMTP_URL) and
// marks it sent. Without SMTP_URL it stays here, shown on the development mailbox page.
export const outboundEmails = pgTable(
  "outbound_emails",
  {
    id: id().primaryKey(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    ...outboxMessage(),
    messageId: text("message_id"),
    ...sendTries(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("outbound_emails_dedupe").on(t.dedupeKey), index("outbound_emails_created").on(t.createdAt)],
);

// Text messages, the outbox of the SMS provider like outbound_emails is of SMTP: written in the
// caller's transaction, handed to the provider by the send_sms job. One merchant's messages to
// its customers (dunning, receipts); the console's Mailbox shows them to that merchant's members.
export const outboundSms = pgTable(
  "outbound_sms",
  {
    id: id(),
    merchantId: merchantId(),
    to: text("to").notNull(),
    body: text("body").notNull(),
    ...outboxMessage(),
    providerMessageId: text("provider_message_id"),
    ...sendTries(),
    createdAt: createdAt(),
  },
  (t) => [
    merchantPk(t, t.id),
    merchantUnique("outbound_sms_dedupe", t, t.dedupeKey),
    merchantIndex("outbound_sms_merchant_created", t, t.createdAt),
  ],
);

// Files sent with a mail (scheduled reports): up to 10 MB each.
export const outboundEmailAttachments = pgTable(
  "outbound_email_attachments",
  {
    mailId: text("mail_id")
      .notNull()
      .references(() => outboundEmails.id, { onDelete: "cascade" }),
    n: integer("n").notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    content: bytea("content").notNull(),
    size: integer("size").notNull(),
  },
  (t) => [primaryKey({ columns: [t.mailId, t.n] })],
);

// A person's notification switches at one merchant: no row means on (for the roles that get it).
export const notificationSettings = pgTable(
  "notification_settings",
  {
    ...memberKey(),
    kind: text("kind").notNull(),
    enabled: boolean("enabled").notNull(),
    // decline_rate: the share of declined attempts in an hour (percent) that sends the alert.
    thresholdPct: integer("threshold_pct"),
    updatedAt: updatedAt(),
  },
  (t) => [merchantPk(t, t.userId, t.kind)],
);

// How far each merchant's events have been turned into notifications (payout paid/failed, refund failed).
export const notificationCursors = pgTable("notification_cursors", {
  merchantId: merchantId().primaryKey().references(() => merchants.id),
  seq: bigint("seq", { mode: "number" }).notNull().default(0),
  updatedAt: updatedAt(),
});

// Browsers a person has signed in from (a long-lived random cookie; only its SHA-256 here).
export const knownBrowsers = pgTable(
  "known_browsers",
  {
    userId: userId(),
    tokenHash: text("token_hash").notNull(),
    userAgent: text("user_agent"),
    ip: text("ip"),
    firstSeenAt: tstz("first_seen_at").notNull().defaultNow(),
    lastSeenAt: tstz("last_seen_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.tokenHash] })],
);

// Password reset links: one hour, single use; the mail carries the token, the table its SHA-256.
export const passwordResets = pgTable(
  "password_resets",
  {
    id: id().primaryKey(),
    userId: userId(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    usedAt: tstz("used_at"),
    ip: text("ip"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("password_resets_token").on(t.tokenHash), index("password_resets_user").on(t.userId, t.createdAt)],
);
