/**
 * Public holidays as data (Gregorian dates), through Jalali 1410 / Gregorian 2032.
 *
 * - Iran 1404 and 1405: the official calendar as published. Iranian lunar holidays follow the
 *   official calendar of each Jalali year and can shift by a day when announced. Lunar holidays the
 *   published list lacks (21 Ramadan; Eid al-Fitr at the end of 1405) are projected.
 * - Iran 1406-1410: the solar holidays exactly, the lunar ones projected (holiday-rules.ts). When
 *   Iran publishes a year's calendar, add it to OFFICIAL_IR and move IR_OFFICIAL_THROUGH on.
 * - United States: federal holidays by OPM's rules, observed dates, 2025-2032.
 * Merchants edit their own calendar in Settings. When less than a year of data is left, the
 * settings page warns and tests/unit/settlements/holiday-data.test.ts fails.
 */
import { iranHolidaysOfJalaliYear, usFederalHolidays, type HolidayDay } from "./holiday-rules";

export type { HolidayDay };

/** The last Jalali year whose official calendar is below; later years are projected. */
const IR_OFFICIAL_THROUGH = 1405;
const IR_LAST_YEAR = 1410;
const US_FIRST_YEAR = 2025;
const US_LAST_YEAR = 2032;

const OFFICIAL_IR: HolidayDay[] = [
    // 1404 (2025-03-21 .. 2026-03-20)
    { day: "2025-03-21", name: "Nowruz", nameFa: "عید نوروز" },
    { day: "2025-03-22", name: "Nowruz", nameFa: "عید نوروز" },
    { day: "2025-03-23", name: "Nowruz", nameFa: "عید نوروز" },
    { day: "2025-03-24", name: "Nowruz", nameFa: "عید نوروز" },
    { day: "2025-03-31", name: "Eid al-Fitr", nameFa: "عید فطر" },
    { day: "2025-04-01", name: "Islamic Republic Day; Eid al-Fitr holiday", nameFa: "روز جمهوری اسلامی" },
    { day: "2025-04-02", name: "Nature Day (Sizdah Bedar)", nameFa: "روز طبیعت" },
    { day: "2025-04-24", name: "Martyrdom of Imam Sadiq", nameFa: "شهادت امام جعفر صادق" },
    { day: "2025-06-04", name: "Demise of Imam Khomeini", nameFa: "رحلت امام خمینی" },
    { day: "2025-06-05", name: "15 Khordad Uprising", nameFa: "قیام ۱۵ خرداد" },
    { day: "2025-06-06", name: "Eid al-Adha", nameFa: "عید قربان" },
    { day: "2025-06-14", name: "Eid al-Ghadir", nameFa: "عید غدیر" },
    { day: "2025-07-05", name: "Tasua", nameFa: "تاسوعا" },
    { day: "2025-07-06", name: "Ashura", nameFa: "عاشورا" },
    { day: "2025-08-14", name: "Arbaeen", nameFa: "اربعین" },
    { day: "2025-08-22", name: "Demise of the Prophet and Martyrdom of Imam Hasan", nameFa: "رحلت پیامبر و شهادت امام حسن" },
    { day: "2025-08-23", name: "Martyrdom of Imam Reza", nameFa: "شهادت امام رضا" },
    { day: "2025-08-31", name: "Martyrdom of Imam Hasan Askari", nameFa: "شهادت امام حسن عسکری" },
    { day: "2025-09-09", name: "Birth of the Prophet", nameFa: "میلاد پیامبر" },
    { day: "2025-11-24", name: "Martyrdom of Fatima", nameFa: "شهادت حضرت فاطمه" },
    { day: "2026-01-03", name: "Birth of Imam Ali", nameFa: "ولادت امام علی" },
    { day: "2026-01-17", name: "Mab'ath", nameFa: "مبعث" },
    { day: "2026-02-03", name: "Birth of Imam Mahdi", nameFa: "ولادت امام مهدی" },
    { day: "2026-02-11", name: "Islamic Revolution Day", nameFa: "پیروزی انقلاب اسلامی" },
    { day: "2026-03-20", name: "Oil Nationalization Day; Eid al-Fitr", nameFa: "ملی شدن صنعت نفت" },
    // 1405 (2026-03-21 .. 2027-03-20)
    { day: "2026-03-21", name: "Nowruz; Eid al-Fitr holiday", nameFa: "عید نوروز" },
    { day: "2026-03-22", name: "Nowruz", nameFa: "عید نوروز" },
    { day: "2026-03-23", name: "Nowruz", nameFa: "عید نوروز" },
    { day: "2026-03-24", name: "Nowruz", nameFa: "عید نوروز" },
    { day: "2026-04-01", name: "Islamic Republic Day", nameFa: "روز جمهوری اسلامی" },
    { day: "2026-04-02", name: "Nature Day (Sizdah Bedar)", nameFa: "روز طبیعت" },
    { day: "2026-04-14", name: "Martyrdom of Imam Sadiq", nameFa: "شهادت امام جعفر صادق" },
    { day: "2026-05-27", name: "Eid al-Adha", nameFa: "عید قربان" },
    { day: "2026-06-04", name: "Demise of Imam Khomeini; Eid al-Ghadir", nameFa: "رحلت امام خمینی" },
    { day: "2026-06-05", name: "15 Khordad Uprising", nameFa: "قیام ۱۵ خرداد" },
    { day: "2026-06-25", name: "Tasua", nameFa: "تاسوعا" },
    { day: "2026-06-26", name: "Ashura", nameFa: "عاشورا" },
    { day: "2026-08-04", name: "Arbaeen", nameFa: "اربعین" },
    { day: "2026-08-12", name: "Demise of the Prophet and Martyrdom of Imam Hasan", nameFa: "رحلت پیامبر و شهادت امام حسن" },
    { day: "2026-08-13", name: "Martyrdom of Imam Reza", nameFa: "شهادت امام رضا" },
    { day: "2026-08-21", name: "Martyrdom of Imam Hasan Askari", nameFa: "شهادت امام حسن عسکری" },
    { day: "2026-08-30", name: "Birth of the Prophet", nameFa: "میلاد پیامبر" },
    { day: "2026-11-13", name: "Martyrdom of Fatima", nameFa: "شهادت حضرت فاطمه" },
    { day: "2026-12-24", name: "Birth of Imam Ali", nameFa: "ولادت امام علی" },
    { day: "2027-01-07", name: "Mab'ath", nameFa: "مبعث" },
    { day: "2027-01-24", name: "Birth of Imam Mahdi", nameFa: "ولادت امام مهدی" },
    { day: "2027-02-11", name: "Islamic Revolution Day", nameFa: "پیروزی انقلاب اسلامی" },
    { day: "2027-03-20", name: "Oil Nationalization Day", nameFa: "ملی شدن صنعت نفت" },
];

const DAY_MS = 86_400_000;
const near = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) <= 3 * DAY_MS;

function iran(): HolidayDay[] {
  const out = [...OFFICIAL_IR];
  const taken = new Set(out.map((h) => h.day));
  for (let year = 1404; year <= IR_LAST_YEAR; year++) {
    for (const h of iranHolidaysOfJalaliYear(year)) {
      if (year > IR_OFFICIAL_THROUGH) {
        out.push(h);
        continue;
      }
      // An official year: only the lunar holidays its list lacks.
      if (!h.projected || taken.has(h.day)) continue;
      const names = h.name.split("; ");
      if (names.every((n) => OFFICIAL_IR.some((o) => near(o.day, h.day) && o.name.includes(n)))) continue;
      out.push(h);
    }
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

function unitedStates(): HolidayDay[] {
  const out: HolidayDay[] = [];
  for (let y = US_FIRST_YEAR; y <= US_LAST_YEAR; y++) out.push(...usFederalHolidays(y));
  return out;
}

export const HOLIDAYS: Record<string, HolidayDay[]> = { IR: iran(), US: unitedStates() };

/** The last day each calendar's data covers, YYYY-MM-DD. */
export const HOLIDAYS_COVER_THROUGH: Record<string, string> = {
  // The day before Nowruz 1411.
  IR: new Date(Date.parse(iranHolidaysOfJalaliYear(IR_LAST_YEAR + 1)[0]!.day) - DAY_MS).toISOString().slice(0, 10),
  US: `${US_LAST_YEAR}-12-31`,
};

/** Whole days from `now` (its UTC date) to the end of a calendar's data; negative once it ran out; null for an unknown calendar. */
export function holidayDataDaysLeft(calendar: string, now: Date): number | null {
  const through = HOLIDAYS_COVER_THROUGH[calendar];
  if (!through) return null;
  return Math.floor((Date.parse(`${through}T00:00:00Z`) - Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`)) / DAY_MS);
}
