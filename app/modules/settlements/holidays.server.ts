/**
 * Holiday calendars: country calendars are reference data (the `holidays` table, loaded
 * from app/modules/settlements/holiday-data.ts), a merchant's edits sit on top (`merchant_holidays`: an extra
 * closed day, or a country holiday it works through). The payout engine and the
 * settings page read the same merged calendar.
 */
import type { Client } from "~/lib/vocabulary";
import { and, asc, between, eq, inArray, sql } from "drizzle-orm";
import { holidays, merchantHolidays, merchants } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { HOLIDAYS, HOLIDAYS_COVER_THROUGH, holidayDataDaysLeft } from "~/modules/settlements/holiday-data";
import { isValidLocalDateKey } from "~/lib/dates/zones";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { normalizeCutoff, type SettlementCalendar } from "./calendar";
import type { Scope } from "~/lib/vocabulary";

export type MerchantScope = Scope;

/**
 * Makes the country calendars in the database what holiday-data.ts says (idempotent; the demo
 * seed does the same): new days are added, renamed days renamed, and a projected day the
 * official calendar moved is removed. Merchants' own edits (merchant_holidays) are untouched.
 */
export async function ensureHolidayCalendars(dbx: DbOrTx = db()): Promise<void> {
  for (const [calendar, list] of Object.entries(HOLIDAYS)) {
    if (!list.length) continue;
    const wanted = list.map((h) => ({ calendar, day: h.day, name: h.name, nameFa: h.nameFa ?? null }));
    const have = await dbx.select().from(holidays).where(eq(holidays.calendar, calendar));
    const byDay = new Map(have.map((h) => [h.day, h]));
    const changed = wanted.filter((w) => {
      const h = byDay.get(w.day);
      return !h || h.name !== w.name || h.nameFa !== w.nameFa;
    });
    if (changed.length) {
      await dbx
        .insert(holidays)
        .values(changed)
        .onConflictDoUpdate({ target: [holidays.calendar, holidays.day], set: { name: sql`excluded.name`, nameFa: sql`excluded.name_fa` } });
    }
    const keep = new Set(wanted.map((w) => w.day));
    const stale = have.filter((h) => !keep.has(h.day)).map((h) => h.day);
    if (stale.length) await dbx.delete(holidays).where(and(eq(holidays.calendar, calendar), inArray(holidays.day, stale)));
  }
}

export interface HolidayCoverage {
  calendar: string;
  /** The last day the bundled calendar covers, YYYY-MM-DD (null: a calendar without bundled data). */
  through: string | null;
  daysLeft: number | null;
  /** Less than a year of holidays left: payout dates after `through` ignore public holidays. */
  runningOut: boolean;
}

/** How far the bundled public-holiday calendar reaches, for the warning on the settings page. */
export function holidayCoverage(calendar: string, now: Date): HolidayCoverage {
  const daysLeft = holidayDataDaysLeft(calendar, now);
  return { calendar, through: HOLIDAYS_COVER_THROUGH[calendar] ?? null, daysLeft, runningOut: daysLeft !== null && daysLeft < 365 };
}

const PROJECTED = new Set(Object.entries(HOLIDAYS).flatMap(([calendar, list]) => list.filter((h) => h.projected).map((h) => `${calendar}:${h.day}`)));

export interface ScheduleFields {
  timeZone: string;
  settlementCutoff: string;
  settlementDelayDays: number;
  weekendDays: number[];
  holidayCalendar: string;
}

/** The merchants columns a settlement calendar is made from (a select of ScheduleFields). */
export const SCHEDULE_COLUMNS = {
  timeZone: merchants.timeZone,
  settlementCutoff: merchants.settlementCutoff,
  settlementDelayDays: merchants.settlementDelayDays,
  weekendDays: merchants.weekendDays,
  holidayCalendar: merchants.holidayCalendar,
};

/** The merchant's calendar as the engine uses it: country holidays plus the merchant's own edits. */
export async function calendarFromSchedule(dbx: DbOrTx, merchantId: string, m: ScheduleFields): Promise<SettlementCalendar> {
  const country = await dbx.select({ day: holidays.day }).from(holidays).where(eq(holidays.calendar, m.holidayCalendar));
  const own = await dbx
    .select({ day: merchantHolidays.day, closed: merchantHolidays.closed })
    .from(merchantHolidays)
    .where(eq(merchantHolidays.merchantId, merchantId));
  const closed = new Set(country.map((h) => h.day));
  const open = new Set<string>();
  for (const h of own) {
    if (h.closed) closed.add(h.day);
    else {
      open.add(h.day);
      closed.delete(h.day);
    }
  }
  return {
    timeZone: m.timeZone,
    cutoff: normalizeCutoff(m.settlementCutoff) ?? "00:00",
    delayDays: m.settlementDelayDays,
    weekendDays: m.weekendDays,
    holidays: closed,
    openDays: open,
  };
}

export async function settlementCalendarFor(scope: MerchantScope, dbx: DbOrTx = db()): Promise<SettlementCalendar> {
  const [m] = await dbx.select(SCHEDULE_COLUMNS).from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!m) throw new Error(`unknown merchant ${scope.merchantId}`);
  return calendarFromSchedule(dbx, scope.merchantId, m);
}

export interface HolidayRow {
  day: string;
  name: string;
  nameFa: string | null;
  /** country: from the country calendar; merchant: added by the merchant. */
  source: "country" | "merchant";
  /** false when the merchant works through a country holiday. */
  closed: boolean;
  /** A lunar date projected ahead of the official calendar (it may move by a day). */
  projected: boolean;
}

/** The merged calendar between two local dates (inclusive), for the settings page. */
export async function listHolidays(scope: MerchantScope, range: { from: string; to: string }, dbx: DbOrTx = db()): Promise<HolidayRow[]> {
  const [m] = await dbx.select({ calendar: merchants.holidayCalendar }).from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!m) return [];
  const country = await dbx
    .select()
    .from(holidays)
    .where(and(eq(holidays.calendar, m.calendar), between(holidays.day, range.from, range.to)))
    .orderBy(asc(holidays.day));
  const own = await dbx
    .select()
    .from(merchantHolidays)
    .where(and(eq(merchantHolidays.merchantId, scope.merchantId), between(merchantHolidays.day, range.from, range.to)));
  const byDay = new Map<string, HolidayRow>();
  for (const h of country) {
    byDay.set(h.day, { day: h.day, name: h.name, nameFa: h.nameFa, source: "country", closed: true, projected: PROJECTED.has(`${m.calendar}:${h.day}`) });
  }
  for (const h of own) {
    const base = byDay.get(h.day);
    if (base && !h.closed) byDay.set(h.day, { ...base, closed: false });
    else if (!base) byDay.set(h.day, { day: h.day, name: h.name, nameFa: null, source: "merchant", closed: h.closed, projected: false });
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

export type HolidayEdit =
  | { kind: "close"; day: string; name: string }
  | { kind: "open"; day: string }
  | { kind: "reset"; day: string };

export type EditResult = { ok: true } | { ok: false; field: string; message: string };

/**
 * close: an extra non-business day; open: work through a country holiday;
 * reset: drop the merchant's edit of that day (back to the country calendar).
 */
export async function editHoliday(
  scope: MerchantScope,
  edit: HolidayEdit,
  meta: { actor: AppContext; client?: Client },
  dbx: DbOrTx = db(),
): Promise<EditResult> {
  if (!isValidLocalDateKey(edit.day)) return { ok: false, field: "day", message: "Enter the day as a date, like 2026-03-21." };
  if (edit.kind === "close") {
    const name = edit.name.trim();
    if (!name) return { ok: false, field: "name", message: "Give the day a name, like “Stocktaking”." };
    if (name.length > 100) return { ok: false, field: "name", message: "Keep the name under 100 characters." };
    await dbx
      .insert(merchantHolidays)
      .values({ merchantId: scope.merchantId, day: edit.day, name, closed: true })
      .onConflictDoUpdate({ target: [merchantHolidays.merchantId, merchantHolidays.day], set: { name, closed: true } });
  } else if (edit.kind === "open") {
    const [m] = await dbx.select({ calendar: merchants.holidayCalendar }).from(merchants).where(eq(merchants.id, scope.merchantId));
    const [h] = await dbx
      .select()
      .from(holidays)
      .where(and(eq(holidays.calendar, m?.calendar ?? ""), eq(holidays.day, edit.day)));
    if (!h) return { ok: false, field: "day", message: `${edit.day} is not a public holiday in your calendar, so it is already a business day.` };
    await dbx
      .insert(merchantHolidays)
      .values({ merchantId: scope.merchantId, day: edit.day, name: h.name, closed: false })
      .onConflictDoUpdate({ target: [merchantHolidays.merchantId, merchantHolidays.day], set: { closed: false } });
  } else {
    await dbx.delete(merchantHolidays).where(and(eq(merchantHolidays.merchantId, scope.merchantId), eq(merchantHolidays.day, edit.day)));
  }
  await audit(dbx, {
    actor: meta.actor,
    merchantId: scope.merchantId,
    action: "settlement.holiday_edit",
    outcome: "success",
    targetType: "holiday",
    targetId: edit.day,
    details: { ...edit },
    client: meta.client,
  });
  return { ok: true };
}
