/**
 * Days typed into date filters. Persian readers type Jalali dates ("۱۴۰۴/۰۱/۰۱"),
 * everyone else gets the browser's date picker (ISO "2025-03-21"); the server keeps
 * one form, the ISO key of the Gregorian day, so URLs, SQL and exports never change
 * with the reader's calendar. Pure: the filter schemas and the date field share it.
 */
import { isValidLocalDateKey } from "~/lib/dates/zones";
import { jalaliToUtc, toJalali } from "~/lib/dates/jalali";
import { toLatinDigits } from "~/lib/digits";

// Jalali years of business dates are around 1400; Gregorian ones around 2000. A year
// below 1700 can only be Jalali here (1700 AP is the 2320s).
const LAST_JALALI_YEAR = 1700;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Day, month and year as typed: any of / - . and the Arabic date separator between them. */
function fields(raw: string): [number, number, number] | null {
  const m = /^\s*(\d{3,4})\s*[/\-.\u066B\u060C]\s*(\d{1,2})\s*[/\-.\u066B\u060C]\s*(\d{1,2})\s*$/.exec(toLatinDigits(raw));
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * The ISO day ("2025-03-21") of a day a person typed: ISO as is, or a Jalali date
 * ("1404/01/01", "۱۴۰۴-۱-۱") converted. Anything else (including days that do not
 * exist, like 30 Esfand of a common year) comes back trimmed and unchanged, for the
 * caller's validation to refuse with its own message.
 */
export function normalizeDayInput(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed === "" || isValidLocalDateKey(trimmed)) return trimmed;
  const f = fields(trimmed);
  if (!f) return trimmed;
  const [year, month, day] = f;
  if (year < LAST_JALALI_YEAR) {
    try {
      return jalaliToUtc({ year, month, day }, "UTC").toISOString().slice(0, 10);
    } catch {
      return trimmed;
    }
  }
  const key = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  return isValidLocalDateKey(key) ? key : trimmed;
}

/** For z.preprocess: strings go through normalizeDayInput, anything else is left to the schema. */
export function preprocessDay(v: unknown): unknown {
  return typeof v === "string" ? normalizeDayInput(v) : v;
}

/** The Jalali date "1404/01/01" (Latin digits) of an ISO day "2025-03-21"; "" for anything else. */
export function jalaliDayText(isoDay: string): string {
  if (!isValidLocalDateKey(isoDay)) return "";
  const j = toJalali(new Date(`${isoDay}T12:00:00Z`), "UTC");
  return `${pad(j.year, 4)}/${pad(j.month)}/${pad(j.day)}`;
}
