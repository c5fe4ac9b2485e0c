/** The Overview's range presets (in the reader's calendar), custom days and grouping. */
import { Form, Link, useLocation } from "@remix-run/react";
import { DayField } from "~/components/day-input";
import { withParams } from "~/components/console/url";
import type { Granularity } from "~/lib/dates/buckets";
import type { MessageKey } from "~/lib/i18n/en";
import { listFieldError, rangePresetLabel } from "~/lib/i18n/messages";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { OVERVIEW_RANGES, type OverviewRange } from "~/lib/labels";
import type { OverviewData } from "~/web/overview.server";

/** The Overview says its day presets short ("7 days"); the others as everywhere ("Month to date"). */
const SHORT_DAYS: Partial<Record<OverviewRange, number>> = { "7d": 7, "30d": 30, "90d": 90 };

function presetLabel(t: ReturnType<typeof useT>, preset: OverviewRange): string {
  const days = SHORT_DAYS[preset];
  return days ? t("overview.range.days", { days }) : rangePresetLabel(t, preset);
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
          {(["from", "to"] as const).map((name) => (
            <DayField
              key={name}
              id={`ov-${name}`}
              name={name}
              label={t(`dates.${name}`)}
              defaultValue={range.preset === "custom" ? (name === "from" ? range.fromDay : range.toDay) : ""}
              required
              // The server's reasons are English and about ISO days; a Persian reader is told in Persian, in Jalali terms.
              error={listFieldError(t, fmt, name, data.errors[name])}
            />
          ))}
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
