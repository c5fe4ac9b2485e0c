/**
 * Who gets a notification: the active members of the merchant in the kind's roles (plus
 * named people, e.g. a refund's author), minus those who switched it off, each with the
 * language and formats they read the console in.
 */
import { sql } from "drizzle-orm";
import { rows, type DbOrTx } from "~db/client.server";
import { makeFormatter, type Formatter } from "~/lib/format";
import { DEFAULT_DECLINE_THRESHOLD_PCT, NOTIFICATION_AUDIENCE, type NotificationKind } from "~/lib/notifications";
import { preferencesTag, resolvePreferencesFrom, type Preferences } from "~/lib/i18n/preferences";
import { translator, type Translator } from "~/lib/i18n/translate";
import type { Role } from "~/lib/vocabulary";
import { env } from "~/lib/env.server";

export interface MerchantInfo {
  id: string;
  name: string;
  defaultLocale: string | null;
  timeZone: string;
  currency: string;
}

export interface Recipient {
  userId: string;
  email: string;
  name: string;
  role: Role;
  thresholdPct: number;
  prefs: Preferences;
  t: Translator;
  fmt: Formatter;
}

export async function merchantInfo(dbx: DbOrTx, merchantId: string): Promise<MerchantInfo | null> {
  const [m] = await rows<{ id: string; name: string; default_locale: string | null; time_zone: string; currency: string }>(
    dbx,
    sql`select id, name, default_locale, time_zone, currency from merchants where id = ${merchantId}`,
  );
  return m ? { id: m.id, name: m.name, defaultLocale: m.default_locale, timeZone: m.time_zone, currency: m.currency } : null;
}

/** A reader's translator and formatter: their language and digits, the merchant's zone and currency. */
export function readerOf(user: { locale: string | null; digits: string | null; irrDisplay: string | null }, merchant: MerchantInfo) {
  const prefs = resolvePreferencesFrom({ user, merchant: { defaultLocale: merchant.defaultLocale, timeZone: merchant.timeZone, currency: merchant.currency } });
  return { prefs, t: translator(preferencesTag(prefs)), fmt: makeFormatter(prefs) };
}

/** The people who get `kind` at this merchant now (switched on, active membership). */
export async function recipientsOf(
  dbx: DbOrTx,
  merchant: MerchantInfo,
  kind: NotificationKind,
  opts: { userIds?: string[]; roles?: readonly Role[] } = {},
): Promise<Recipient[]> {
  const audience = NOTIFICATION_AUDIENCE[kind];
  const roles = opts.roles ?? (audience === "anyone" ? [] : audience);
  const ids = opts.userIds ?? [];
  if (roles.length === 0 && ids.length === 0) return [];
  const list = await rows<{
    id: string;
    email: string;
    name: string;
    locale: string | null;
    digits: string | null;
    irr_display: string | null;
    role: Role;
    threshold_pct: number | null;
  }>(
    dbx,
    sql`select u.id, u.email, u.name, u.locale, u.digits, u.irr_display, m.role::text as role, ns.threshold_pct
        from memberships m
        join users u on u.id = m.user_id
        left join notification_settings ns on ns.merchant_id = m.merchant_id and ns.user_id = m.user_id and ns.kind = ${kind}
        where m.merchant_id = ${merchant.id} and m.status = 'active'
          and (m.role::text = any(string_to_array(${roles.join(",")}, ',')) or u.id = any(string_to_array(${ids.join(",")}, ',')))
          and coalesce(ns.enabled, true)
        order by u.id`,
  );
  return list.map((r) => ({
    userId: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    thresholdPct: r.threshold_pct ?? DEFAULT_DECLINE_THRESHOLD_PCT,
    ...readerOf({ locale: r.locale, digits: r.digits, irrDisplay: r.irr_display }, merchant),
  }));
}

/** Whether one person has `kind` switched on at this merchant (no row: on). */
export async function switchedOn(dbx: DbOrTx, merchantId: string, userId: string, kind: NotificationKind): Promise<boolean> {
  const [r] = await rows<{ enabled: boolean }>(
    dbx,
    sql`select enabled from notification_settings where merchant_id = ${merchantId} and user_id = ${userId} and kind = ${kind}`,
  );
  return r ? Boolean(r.enabled) : true;
}

/** Links in mail: PUBLIC_URL, else the server's own address. */
export function consoleUrl(path: string): string {
  const base = (env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/+$/, "");
  return `${base}${path}`;
}

/** A notification's body: the text, a link to the thing, and how to switch it off. */
export function withFooter(r: { t: Translator }, merchantName: string, text: string, link?: string): string {
  return [
    text,
    link ? `${r.t("mail.notify.open")}\n${link}` : null,
    `${r.t("mail.notify.footer", { merchant: merchantName })}\n${consoleUrl("/settings/notifications")}`,
  ]
    .filter(Boolean)
    .join("\n\n");
}
