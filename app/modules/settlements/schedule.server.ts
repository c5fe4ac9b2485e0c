/**
 * A merchant's settlement schedule: when the day closes (cutoff, local time), how
 * many business days a payout takes, which weekdays are the weekend, which holiday
 * calendar applies, and the smallest payout worth sending.
 */
import type { Client } from "~/lib/vocabulary";
import { eq, sql } from "drizzle-orm";
import { merchants } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { nextCutoff, normalizeCutoff, payoutTimes } from "./calendar";
import { settlementCalendarFor, type MerchantScope } from "./holidays.server";

export interface Schedule {
  timeZone: string;
  currency: string;
  cutoff: string;
  delayDays: number;
  weekendDays: number[];
  holidayCalendar: string;
  minimumPayout: bigint;
}

export async function getSchedule(scope: MerchantScope, dbx: DbOrTx = db()): Promise<Schedule> {
  const [m] = await dbx.select().from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!m) throw new Error(`unknown merchant ${scope.merchantId}`);
  return {
    timeZone: m.timeZone,
    currency: m.currency,
    cutoff: normalizeCutoff(m.settlementCutoff) ?? "00:00",
    delayDays: m.settlementDelayDays,
    weekendDays: [...m.weekendDays].sort(),
    holidayCalendar: m.holidayCalendar,
    minimumPayout: m.minimumPayout,
  };
}

export interface ScheduleInput {
  cutoff: string;
  delayDays: string;
  weekendDays: string[];
  holidayCalendar: string;
  /** In major units as typed ("5,000,000", "1.00"); empty or 0 means no minimum. */
  minimumPayout: string;
}

export type ScheduleResult = { ok: true; schedule: Schedule } | { ok: false; field: keyof ScheduleInput; message: string };

export const HOLIDAY_CALENDARS = [
  { id: "IR", label: "Iran (official calendar)" },
  { id: "US", label: "United States (federal holidays)" },
  { id: "NONE", label: "No public holidays (only your own days)" },
] as const;

/** Validates and saves the schedule; payouts already created keep their dates. */
export async function updateSchedule(
  scope: MerchantScope,
  input: ScheduleInput,
  meta: { actor: AppContext; client?: Client },
  dbx: DbOrTx = db(),
): Promise<ScheduleResult> {
  const before = await getSchedule(scope, dbx);
  const cutoff = normalizeCutoff(input.cutoff);
  if (!cutoff) return { ok: false, field: "cutoff", message: "Enter the cutoff as a time of day, like 23:30." };
  const delay = /^\d{1,2}$/.test(input.delayDays.trim()) ? Number(input.delayDays.trim()) : NaN;
  if (!Number.isInteger(delay) || delay < 0 || delay > 10) {
    return { ok: false, field: "delayDays", message: "The payout delay is a whole number of business days from 0 to 10." };
  }
  const weekend = [...new Set(input.weekendDays.map((d) => Number(d)))].sort();
  if (weekend.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
    return { ok: false, field: "weekendDays", message: "Choose weekend days from Sunday to Saturday." };
  }
  if (weekend.length > 3) {
    return { ok: false, field: "weekendDays", message: "At most three weekend days: payouts need business days to move." };
  }
  if (!HOLIDAY_CALENDARS.some((c) => c.id === input.holidayCalendar)) {
    return { ok: false, field: "holidayCalendar", message: "Choose a holiday calendar from the list." };
  }
  let minimum = 0n;
  const rawMin = input.minimumPayout.trim();
  if (rawMin !== "" && !/^0+([.,]0*)?$/.test(rawMin)) {
    if (!isCurrencyCode(before.currency)) return { ok: false, field: "minimumPayout", message: `Unsupported currency ${before.currency}.` };
    const parsed = parseAmount(rawMin, before.currency);
    if (!parsed.ok) return { ok: false, field: "minimumPayout", message: parsed.reason };
    minimum = parsed.minor;
  }
  await dbx
    .update(merchants)
    .set({
      settlementCutoff: cutoff,
      settlementDelayDays: delay,
      weekendDays: weekend,
      holidayCalendar: input.holidayCalendar,
      minimumPayout: minimum,
      updatedAt: sql`now()`,
    })
    .where(eq(merchants.id, scope.merchantId));
  const after = await getSchedule(scope, dbx);
  await audit(dbx, {
    actor: meta.actor,
    merchantId: scope.merchantId,
    action: "settlement.schedule_update",
    outcome: "success",
    targetType: "merchant",
    targetId: scope.merchantId,
    details: { before, after },
    client: meta.client,
  });
  return { ok: true, schedule: after };
}

/**
 * When money captured at `at` becomes available for payout: the next cutoff of the
 * merchant's schedule. The payments module stamps each charge's available_on with it.
 */
export async function availableOnFor(scope: MerchantScope, at: Date, dbx: DbOrTx = db()): Promise<Date> {
  return nextCutoff(at, await settlementCalendarFor(scope, dbx));
}

export interface SchedulePreview {
  nextCutoff: Date;
  /** The local day that cutoff closes. */
  settlementDay: string;
  expectedArrivalDate: string;
}

/** What the schedule means right now: when today's money closes and when it arrives. */
export async function schedulePreview(scope: MerchantScope, now: Date = new Date(), dbx: DbOrTx = db()): Promise<SchedulePreview> {
  const cal = await settlementCalendarFor(scope, dbx);
  const cutoff = nextCutoff(now, cal);
  const t = payoutTimes(cutoff, cal);
  return { nextCutoff: cutoff, settlementDay: t.settlementDay, expectedArrivalDate: t.expectedArrivalDate };
}
