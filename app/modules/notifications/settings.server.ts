/**
 * A person's notification switches at the current merchant (the Notifications page).
 * Every kind their role gets is on until switched off; saving is audited.
 */
import { and, eq } from "drizzle-orm";
import { notificationSettings } from "~db/schema";
import { db } from "~db/client.server";
import {
  DEFAULT_DECLINE_THRESHOLD_PCT,
  MAX_DECLINE_THRESHOLD_PCT,
  MIN_DECLINE_THRESHOLD_PCT,
  kindsFor,
  type NotificationKind,
} from "~/lib/notifications";
import type { Client } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { smtpConfigured } from "~/modules/mail/mailer.server";

export interface NotificationSettingsView {
  email: string;
  smtp: boolean;
  kinds: { kind: NotificationKind; enabled: boolean }[];
  /** decline_rate's threshold in percent (shown when the reader gets decline_rate). */
  thresholdPct: number;
}

export async function notificationSettingsOf(ctx: Pick<AppContext, "user" | "role" | "scope">): Promise<NotificationSettingsView> {
  const saved = await db()
    .select()
    .from(notificationSettings)
    .where(and(eq(notificationSettings.merchantId, ctx.scope.merchantId), eq(notificationSettings.userId, ctx.user.id)));
  const byKind = new Map(saved.map((s) => [s.kind, s]));
  return {
    email: ctx.user.email,
    smtp: smtpConfigured(),
    kinds: kindsFor(ctx.role).map((kind) => ({ kind, enabled: byKind.get(kind)?.enabled ?? true })),
    thresholdPct: byKind.get("decline_rate")?.thresholdPct ?? DEFAULT_DECLINE_THRESHOLD_PCT,
  };
}

export type SaveResult = { ok: true; changed: NotificationKind[] } | { ok: false; field: "thresholdPct"; min: number; max: number };

/** Saves the switches: `on` lists the kinds wanted; the others of the reader's role go off. */
export async function saveNotificationSettings(
  ctx: AppContext,
  input: { on: string[]; thresholdPct?: string },
  client: Client,
  now = new Date(),
): Promise<SaveResult> {
  const kinds = kindsFor(ctx.role);
  let threshold: number | undefined;
  if (kinds.includes("decline_rate") && input.thresholdPct !== undefined) {
    const raw = input.thresholdPct.trim().replace(/[۰-۹]/g, (d) => String("۰۱۲۳۴۵۶۷۸۹".indexOf(d))).replace(/[%٪]/g, "");
    const n = Number(raw);
    if (!/^\d{1,3}$/.test(raw) || n < MIN_DECLINE_THRESHOLD_PCT || n > MAX_DECLINE_THRESHOLD_PCT) {
      return { ok: false, field: "thresholdPct", min: MIN_DECLINE_THRESHOLD_PCT, max: MAX_DECLINE_THRESHOLD_PCT };
    }
    threshold = n;
  }
  const before = await notificationSettingsOf(ctx);
  const changed: NotificationKind[] = [];
  await db().transaction(async (tx) => {
    for (const { kind, enabled } of before.kinds) {
      const want = input.on.includes(kind);
      const thresholdPct = kind === "decline_rate" ? (threshold ?? before.thresholdPct) : null;
      if (want !== enabled || (kind === "decline_rate" && thresholdPct !== before.thresholdPct)) changed.push(kind);
      await tx
        .insert(notificationSettings)
        .values({ merchantId: ctx.scope.merchantId, userId: ctx.user.id, kind, enabled: want, thresholdPct, updatedAt: now })
        .onConflictDoUpdate({
          target: [notificationSettings.merchantId, notificationSettings.userId, notificationSettings.kind],
          set: { enabled: want, thresholdPct, updatedAt: now },
        });
    }
    if (changed.length > 0) {
      await audit(tx, {
        actor: ctx,
        action: "notifications.update",
        outcome: "success",
        targetType: "user",
        targetId: ctx.user.id,
        details: {
          on: before.kinds.filter((k) => input.on.includes(k.kind)).map((k) => k.kind),
          off: before.kinds.filter((k) => !input.on.includes(k.kind)).map((k) => k.kind),
          ...(threshold !== undefined ? { thresholdPct: threshold } : {}),
        },
        client,
      });
    }
  });
  return { ok: true, changed };
}
