/**
 * Public holidays by rule, for the years whose official calendar is not in holiday-data.ts yet.
 *
 * - United States: federal holidays are pure rules (nth weekday of a month; a fixed date falling
 *   on Saturday is observed the Friday before, on Sunday the Monday after), so every year is exact.
 * - Iran: the solar holidays are fixed Jalali dates, so they are exact too. The lunar (Hijri)
 *   holidays follow the crescent as Iran sights it, which is announced with each year's official
 *   calendar. Until then they are *projected*: the day after the astronomical Islamic calendar's
 *   date (ICU's `islamic` calendar), which is how Iran's sighting usually falls. A projected day
 *   can be off by one; merchants correct any day under Settings, and the official list replaces
 *   the projection in holiday-data.ts when it is published.
 */
import { jalaliMonthLength, jalaliToUtc } from "~/lib/dates/jalali";

export interface HolidayDay {
  /** YYYY-MM-DD (Gregorian, local to the country). */
  day: string;
  name: string;
  nameFa?: string;
  /** A projected lunar date, not yet confirmed by the official calendar. */
  projected?: true;
}

const DAY_MS = 86_400_000;
const key = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const utcDay = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);

/* --------------------------------- United States --------------------------------- */

function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = utcDay(year, month, 1);
  const offset = (weekday - new Date(first).getUTCDay() + 7) % 7;
  return first + (offset + (n - 1) * 7) * DAY_MS;
}

function lastWeekday(year: number, month: number, weekday: number): number {
  const last = utcDay(year, month + 1, 0);
  return last - ((new Date(last).getUTCDay() - weekday + 7) % 7) * DAY_MS;
}

function observed(ms: number): { ms: number; shifted: boolean } {
  const wd = new Date(ms).getUTCDay();
  if (wd === 6) return { ms: ms - DAY_MS, shifted: true };
  if (wd === 0) return { ms: ms + DAY_MS, shifted: true };
  return { ms, shifted: false };
}

/** The federal holidays observed in Gregorian `year` (OPM's rules, 5 U.S.C. 6103). */
export function usFederalHolidays(year: number): HolidayDay[] {
  const out: HolidayDay[] = [];
  const fixed = (month: number, d: number, name: string) => {
    const o = observed(utcDay(year, month, d));
    out.push({ day: key(o.ms), name: o.shifted ? `${name} (observed)` : name });
  };
  fixed(1, 1, "New Year's Day");
  out.push({ day: key(nthWeekday(year, 1, 1, 3)), name: "Martin Luther King Jr. Day" });
  out.push({ day: key(nthWeekday(year, 2, 1, 3)), name: "Washington's Birthday" });
  out.push({ day: key(lastWeekday(year, 5, 1)), name: "Memorial Day" });
  fixed(6, 19, "Juneteenth");
  fixed(7, 4, "Independence Day");
  out.push({ day: key(nthWeekday(year, 9, 1, 1)), name: "Labor Day" });
  out.push({ day: key(nthWeekday(year, 10, 1, 2)), name: "Columbus Day" });
  fixed(11, 11, "Veterans Day");
  out.push({ day: key(nthWeekday(year, 11, 4, 4)), name: "Thanksgiving Day" });
  fixed(12, 25, "Christmas Day");
  // New Year's Day of the next year observed on 31 December (it fell on a Saturday).
  const nextNewYear = observed(utcDay(year + 1, 1, 1));
  if (nextNewYear.shifted && new Date(nextNewYear.ms).getUTCFullYear() === year) {
    out.push({ day: key(nextNewYear.ms), name: "New Year's Day (observed)" });
  }
  return out
    .filter((h) => h.day.startsWith(`${year}-`))
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/* -------------------------------------- Iran -------------------------------------- */

const SOLAR: { month: number; day: number; name: string; nameFa: string }[] = [
  { month: 1, day: 1, name: "Nowruz", nameFa: "عید نوروز" },
  { month: 1, day: 2, name: "Nowruz", nameFa: "عید نوروز" },
  { month: 1, day: 3, name: "Nowruz", nameFa: "عید نوروز" },
  { month: 1, day: 4, name: "Nowruz", nameFa: "عید نوروز" },
  { month: 1, day: 12, name: "Islamic Republic Day", nameFa: "روز جمهوری اسلامی" },
  { month: 1, day: 13, name: "Nature Day (Sizdah Bedar)", nameFa: "روز طبیعت" },
  { month: 3, day: 14, name: "Demise of Imam Khomeini", nameFa: "رحلت امام خمینی" },
  { month: 3, day: 15, name: "15 Khordad Uprising", nameFa: "قیام ۱۵ خرداد" },
  { month: 11, day: 22, name: "Islamic Revolution Day", nameFa: "پیروزی انقلاب اسلامی" },
  { month: 12, day: 29, name: "Oil Nationalization Day", nameFa: "ملی شدن صنعت نفت" },
];

/** Hijri month and day -> holiday. "last" is the last day of the month (Imam Reza, end of Safar). */
const LUNAR: { month: number; day: number | "last"; name: string; nameFa: string }[] = [
  { month: 1, day: 9, name: "Tasua", nameFa: "تاسوعا" },
  { month: 1, day: 10, name: "Ashura", nameFa: "عاشورا" },
  { month: 2, day: 20, name: "Arbaeen", nameFa: "اربعین" },
  { month: 2, day: 28, name: "Demise of the Prophet and Martyrdom of Imam Hasan", nameFa: "رحلت پیامبر و شهادت امام حسن" },
  { month: 2, day: "last", name: "Martyrdom of Imam Reza", nameFa: "شهادت امام رضا" },
  { month: 3, day: 8, name: "Martyrdom of Imam Hasan Askari", nameFa: "شهادت امام حسن عسکری" },
  { month: 3, day: 17, name: "Birth of the Prophet", nameFa: "میلاد پیامبر" },
  { month: 6, day: 3, name: "Martyrdom of Fatima", nameFa: "شهادت حضرت فاطمه" },
  { month: 7, day: 13, name: "Birth of Imam Ali", nameFa: "ولادت امام علی" },
  { month: 7, day: 27, name: "Mab'ath", nameFa: "مبعث" },
  { month: 8, day: 15, name: "Birth of Imam Mahdi", nameFa: "ولادت امام مهدی" },
  { month: 9, day: 21, name: "Martyrdom of Imam Ali", nameFa: "شهادت امام علی" },
  { month: 10, day: 1, name: "Eid al-Fitr", nameFa: "عید فطر" },
  { month: 10, day: 2, name: "Eid al-Fitr holiday", nameFa: "تعطیل عید فطر" },
  { month: 10, day: 25, name: "Martyrdom of Imam Sadiq", nameFa: "شهادت امام جعفر صادق" },
  { month: 12, day: 10, name: "Eid al-Adha", nameFa: "عید قربان" },
  { month: 12, day: 18, name: "Eid al-Ghadir", nameFa: "عید غدیر" },
];

let hijriFormat: Intl.DateTimeFormat | undefined;
/** Iran's projected Hijri date of a Gregorian day: the astronomical calendar's date of the day before. */
function projectedHijri(dayMs: number): { month: number; day: number } {
  hijriFormat ??= new Intl.DateTimeFormat("en-u-ca-islamic-nu-latn", { timeZone: "UTC", month: "numeric", day: "numeric" });
  const parts: Record<string, string> = {};
  for (const p of hijriFormat.formatToParts(new Date(dayMs - DAY_MS + 12 * 3_600_000))) parts[p.type] = p.value;
  return { month: Number(parts.month), day: Number(parts.day) };
}

/** The first Gregorian day (UTC ms) of Jalali `year`. */
function nowruz(year: number): number {
  return jalaliToUtc({ year, month: 1, day: 1 }, "UTC").getTime();
}

/**
 * Iran's public holidays in Jalali `year`: the solar ones exactly, the lunar ones projected
 * (marked `projected`). Two holidays on one day are one entry with both names.
 */
export function iranHolidaysOfJalaliYear(year: number): HolidayDay[] {
  const byDay = new Map<string, HolidayDay>();
  const add = (h: HolidayDay) => {
    const had = byDay.get(h.day);
    if (!had) byDay.set(h.day, h);
    else if (!had.name.split("; ").includes(h.name)) {
      byDay.set(h.day, {
        ...had,
        name: `${had.name}; ${h.name}`,
        nameFa: had.nameFa && h.nameFa ? `${had.nameFa}؛ ${h.nameFa}` : had.nameFa ?? h.nameFa,
        ...(had.projected || h.projected ? { projected: true as const } : {}),
      });
    }
  };
  for (const s of SOLAR) {
    if (s.day > jalaliMonthLength(year, s.month)) continue;
    add({ day: key(jalaliToUtc({ year, month: s.month, day: s.day }, "UTC").getTime()), name: s.name, nameFa: s.nameFa });
  }
  const end = nowruz(year + 1);
  for (let t = nowruz(year); t < end; t += DAY_MS) {
    const h = projectedHijri(t);
    const isLast = projectedHijri(t + DAY_MS).month !== h.month;
    for (const l of LUNAR) {
      if (l.month !== h.month) continue;
      if (l.day === h.day || (l.day === "last" && isLast)) add({ day: key(t), name: l.name, nameFa: l.nameFa, projected: true });
    }
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}
