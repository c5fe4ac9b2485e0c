/**
 * The notifications a person can get by e-mail, who gets each, and their defaults. Every
 * kind is on until its reader switches it off on the Notifications page (per merchant).
 */
import { can } from "~/lib/permissions";
import type { Role } from "~/lib/vocabulary";

export const NOTIFICATION_KINDS = [
  "payout_paid",
  "payout_failed",
  "refund_failed",
  "decline_rate",
  "new_sign_in",
  "webhook_disabled",
  "daily_summary",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Which roles get each kind; "anyone" = every member (about their own account). */
export const NOTIFICATION_AUDIENCE: Record<NotificationKind, readonly Role[] | "anyone"> = {
  payout_paid: ["owner", "accountant"],
  payout_failed: ["owner", "accountant"],
  // Support, and whoever issued the refund (any role).
  refund_failed: ["support"],
  decline_rate: ["owner"],
  new_sign_in: "anyone",
  webhook_disabled: ["owner", "admin"],
  daily_summary: ["owner"],
};

/** The kinds a member of this role can switch (refund_failed also reaches a refund's author). */
export function kindsFor(role: Role): NotificationKind[] {
  return NOTIFICATION_KINDS.filter((k) => {
    const a = NOTIFICATION_AUDIENCE[k];
    return a === "anyone" || a.includes(role) || (k === "refund_failed" && can(role, "refunds:create"));
  });
}

/** decline_rate: alert when more than this share of an hour's attempts were declined... */
export const DEFAULT_DECLINE_THRESHOLD_PCT = 20;
export const MIN_DECLINE_THRESHOLD_PCT = 1;
export const MAX_DECLINE_THRESHOLD_PCT = 100;
/** ...and the hour had at least this many attempts (three declines of five is not a trend). */
export const DECLINE_MIN_ATTEMPTS = 10;
/** The daily summary goes out after this local hour of the next day. */
export const DAILY_SUMMARY_HOUR = 8;
