/**
 * Transitional: the old single-file entry point. New code imports the file it needs
 * (./zones, ./jalali, ./buckets, ./ranges, ./format); this barrel goes once nothing uses it.
 */
export { addLocalDays, isValidLocalDateKey, isValidTimeZone, localDateKey, parseLocalDateKey, startOfLocalDay, zonedParts, zonedTimeToUtc } from "./zones";
export type { LocalDateTimeFields, Weekday, ZonedParts } from "./zones";
export { isJalaliLeapYear, jalaliMonthLength, jalaliMonthNames, jalaliToUtc, toJalali } from "./jalali";
export type { CalendarSystem, JalaliDate } from "./jalali";
export { MAX_BUCKETS, bucketSeries, bucketStart } from "./buckets";
export type { BucketOptions, Granularity } from "./buckets";
export { RANGE_PRESETS, granularityForDays, resolveRange } from "./ranges";
export type { RangePreset, ResolvedRange } from "./ranges";
export { formatDateTime, formatIsoLocal, utcOffsetString } from "./format";
export type { FormatDateTimeOptions } from "./format";
