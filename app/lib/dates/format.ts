/**
 * Dates and times as people read them (Intl, the reader's locale, calendar and digits),
 * and ISO 8601 local times with their offset for exports.
 */
import { assertValidDate, cachedFormatter, formatYear, offsetMsAt, pad, zonedParts } from "./zones";
import type { CalendarSystem } from "./jalali";

export interface FormatDateTimeOptions {
  locale: string;
  timeZone: string;
  /** Defaults to the locale's calendar: persian for fa, gregory for en. */
  calendar?: CalendarSystem;
  /** `native` keeps the locale's digits (Persian for fa); `latn` forces 0-9. */
  digits?: "native" | "latn";
  style?: "date" | "datetime" | "time" | "month";
}

const STYLE_OPTIONS: Record<NonNullable<FormatDateTimeOptions["style"]>, Intl.DateTimeFormatOptions> = {
  date: { dateStyle: "medium" },
  datetime: { dateStyle: "medium", timeStyle: "short" },
  time: { timeStyle: "short" },
  month: { year: "numeric", month: "long" },
};

export function formatDateTime(date: Date, opts: FormatDateTimeOptions): string {
  const t = assertValidDate(date);
  const style = opts.style ?? "datetime";
  const key = `fmt|${opts.locale}|${opts.timeZone}|${opts.calendar ?? ""}|${opts.digits ?? ""}|${style}`;
  const f = cachedFormatter(key, () => {
    const options: Intl.DateTimeFormatOptions = { ...STYLE_OPTIONS[style], timeZone: opts.timeZone };
    if (opts.calendar) options.calendar = opts.calendar;
    if (opts.digits === "latn") options.numberingSystem = "latn";
    return new Intl.DateTimeFormat(opts.locale, options);
  });
  return f.format(t);
}

/** '+03:30', '-04:00', '+00:00'. Historical local-mean-time offsets keep their seconds ('+03:25:44') so the value stays exact. */
export function utcOffsetString(date: Date, tz: string): string {
  const t = assertValidDate(date);
  const totalSeconds = Math.round(offsetMsAt(t, tz) / 1000);
  const sign = totalSeconds < 0 ? "-" : "+";
  const abs = Math.abs(totalSeconds);
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor((abs % 3600) / 60);
  const seconds = abs % 60;
  return `${sign}${pad(hours)}:${pad(minutes)}${seconds ? `:${pad(seconds)}` : ""}`;
}

/**
 * ISO 8601 local time with its offset, e.g. '2025-03-21T00:30:00+03:30'.
 * Exports use it so a spreadsheet shows the merchant's wall-clock time while
 * the value still identifies the exact instant.
 */
export function formatIsoLocal(date: Date, tz: string): string {
  const p = zonedParts(date, tz);
  return `${formatYear(p.year)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${utcOffsetString(date, tz)}`;
}

/** An instant as the API writes it (ISO 8601 UTC); null for none. */
export function isoOrNull(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}
