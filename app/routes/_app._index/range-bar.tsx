/** The Overview's range presets (in the reader's calendar), custom days and grouping. */
import { Form, Link, useLocation } from "@remix-run/react";
import { DayInput } from "~/components/day-input";
import { withParams } from "~/components/console/url";
import type { Granularity } from "~/lib/dates/buckets";
import type { MessageKey } from "~/lib/i18n/en";
import { listFieldError, rangePresetLabel } from "~/lib/i18n/messages";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { OVERVIEW_RANGES } from "~/lib/labels";
import type { OverviewData } from "~/web/overview.server";

function presetLabel(t: ReturnType<typeof useT>, preset: string): string {
  switch (preset) {
    case "today":
      return t("dates.range.today");
    case "7d":
      return t("overview.range.days", { days: 7 });
    case "30d":
      return t("overview.range.days", { days: 30 });
    case "90d":
      return t("overview.range.days", { days: 90 });
    case "12m":
    case "year":
    case "last_year":
    case "mtd":
    case "jalali_month":
    case "last_jalali_month":
    case "jalali_ytd":
      return rangePresetLabel(t, preset);
    default:
      return t("dates.range.custom");
  }
}

// Persian readers close their books by Jalali month: the Gregorian month-to-date gives way to Jalali presets.
// "This year" and "Last year" are in the reader's calendar (Jalali for a Persian reader), so the Jalali year to date is "This year".
const GREGORIAN_PRESETS = OVERVIEW_RANGES.filter((r) => r !== "custom" && !r.includes("jalali"));
const JALALI_PRESETS = OVERVIEW_RANGES.filter((r) => r !== "custom" && r !== "mtd" && r !== "jalali_ytd");

export function RangeBar({ data }: { data: OverviewData }) {
  const t = useT();
  const fmt = useFormat();
  const { prefs } = useI18n();
  const presets = prefs.calendar === "persian" ? JALALI_PRESETS : GREGORIAN_PRESETS;
  // The server's reasons are English and about ISO days; a Persian reader is told in Persian, in Jalali terms.
  const dayError = (field: "from" | "to") => listFieldError(t, fmt, field, data.errors[field]);
  const location = useLocation();
  const { range } = data;
  const hrefFor = (preset: string) => `${location.pathname}${withParams("", { range: preset === "30d" ? null : preset })}`;
  const gHref = (g: Granularity) => `${location.pathname}${withParams(location.search, { g })}`;
  return (
    <div className="range-bar">
      <nav className="seg" aria-label={t("overview.rangeLabel")}>
        {presets.map((r) => (
          <Link key={r} to={hrefFor(r)} aria-current={range.preset === r ? "true" : undefined} preventScrollReset>
            {presetLabel(t, r)}
          </Link>
        ))}
      </nav>
      <details className="menu" open={range.preset === "custom" || !!data.errors.from || !!data.errors.to}>
        <summary>{t("dates.range.custom")}</summary>
        <Form method="get" className="menu-panel" preventScrollReset>
          <div className="field">
            <label htmlFor="ov-from">{t("dates.from")}</label>
            <DayInput id="ov-from" name="from" defaultValue={range.preset === "custom" ? range.fromDay : ""} required invalid={!!data.errors.from} />
            {data.errors.from ? <p className="field-error">{dayError("from")}</p> : null}
          </div>
          <div className="field">
            <label htmlFor="ov-to">{t("dates.to")}</label>
            <DayInput id="ov-to" name="to" defaultValue={range.preset === "custom" ? range.toDay : ""} required invalid={!!data.errors.to} />
            {data.errors.to ? <p className="field-error">{dayError("to")}</p> : null}
          </div>
          <button type="submit" className="btn btn-primary">
            {t("common.apply")}
          </button>
        </Form>
      </details>
      {range.granularities.length > 1 ? (
        <nav className="seg" aria-label={t("overview.groupBy")}>
          {range.granularities.map((g) => (
            <Link key={g} to={gHref(g as Granularity)} aria-current={range.granularity === g ? "true" : undefined} preventScrollReset>
              {t(`overview.granularity.${g}` as MessageKey)}
            </Link>
          ))}
        </nav>
      ) : null}
    </div>
  );
}
