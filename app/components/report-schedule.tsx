/**
 * The parts of the scheduled-reports pages: the schedule form (new and edit), the sentence
 * saying when a schedule runs, and a run's row of history.
 */
import { Form } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import type { MessageKey } from "~/lib/i18n/en";
import { isMessageKey } from "~/lib/i18n/translate";
import { useI18n } from "~/lib/i18n/react";

export interface ScheduleFormData {
  values: {
    id: string | null;
    name: string;
    report: string;
    format: "csv" | "xlsx";
    filters: string;
    columns: string[];
    timeZone: string;
    amounts: "major" | "minor";
    excel: boolean;
    jalali: boolean;
    frequency: string;
    weekday: number;
    monthDay: number;
    localTime: string;
    calendar: string;
    recipientUserIds: string[];
  };
  choices: {
    reports: { id: string; title: string }[];
    columns: { key: string; doc: string; checked: boolean }[];
    members: { userId: string; name: string; email: string; role: string; refusal: string | null }[];
    calendars: readonly string[];
    merchantTimeZone: string;
  };
}

/** A filter as it is written on an export link (the same in every language). */
const FILTER_SAMPLE = "status=captured";
const FILTER_EXAMPLE = "status=captured&terminal=term_…";

/** File formats by their names (the same in every language). */
export const FORMAT_NAMES: Record<string, string> = { xlsx: "XLSX", csv: "CSV" };

export const REPORT_KEYS: Record<string, string> = {
  payments: "payments",
  refunds: "refunds",
  payouts: "payouts",
  "payout-reconciliation": "payoutReconciliation",
  "balance-summary": "balanceSummary",
  "audit-log": "auditLog",
  subscriptions: "subscriptions",
  invoices: "invoices",
};

export function useReportTitle() {
  const { t } = useI18n();
  return (id: string) => (REPORT_KEYS[id] ? t(`reports.report.${REPORT_KEYS[id]}.title` as MessageKey) : id);
}

/** Weekday names in the reader's language, 0 = Sunday. */
export function weekdayName(day: number, locale: string): string {
  // 2001-07-01 was a Sunday.
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2001, 6, 1 + day)));
}

/** "Every month on day 1 at 07:00 (Jalali months, Tehran)". */
export function ScheduleWhen({ s }: { s: { frequency: string; weekday: number | null; monthDay: number | null; localTime: string; calendar: string; timeZone: string } }) {
  const { t, fmt } = useI18n();
  const time = fmt.digits(s.localTime);
  const zone = fmt.zoneName(s.timeZone);
  if (s.frequency === "daily") return <>{t("schedules.when.daily", { time, zone })}</>;
  if (s.frequency === "weekly") return <>{t("schedules.when.weekly", { weekday: weekdayName(s.weekday ?? 0, fmt.locale), time, zone })}</>;
  return <>{t(s.calendar === "jalali" ? "schedules.when.monthlyJalali" : "schedules.when.monthlyGregorian", { day: s.monthDay ?? 1, time, zone })}</>;
}

export function humanBytes(bytes: number, locale: string): string {
  const [value, unit] = bytes < 1024 ? [bytes, "byte"] : bytes < 1024 ** 2 ? [Math.round((bytes / 1024) * 10) / 10, "kilobyte"] : [Math.round((bytes / 1024 ** 2) * 10) / 10, "megabyte"];
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: locale.startsWith("fa") ? "long" : "short" }).format(value);
}

export function ScheduleForm({ data, error, busy }: { data: ScheduleFormData; error: { field: string; message: string } | null; busy: boolean }) {
  const { t, fmt } = useI18n();
  const title = useReportTitle();
  const v = data.values;
  const c = data.choices;
  const err = (field: string) => (error?.field === field ? error.message : null);
  const days = Array.from({ length: 31 }, (_, i) => i + 1);
  return (
    <>
      {/* Another report's columns: a GET of this page with that report (works without scripts). */}
      <Form method="get" className="card form-row" aria-label={t("schedules.report")} style={{ alignItems: "flex-end" }}>
        <div className="field" style={{ flex: "1 1 14rem" }}>
          <label htmlFor="s-report">{t("schedules.report")}</label>
          <select id="s-report" name="report" defaultValue={v.report} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            {c.reports.map((r) => (
              <option key={r.id} value={r.id}>
                {title(r.id)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn">
          {t("schedules.chooseReport")}
        </button>
      </Form>

      <Form method="post" className="grid grid-2" aria-label={v.id ? t("schedules.editTitle") : t("schedules.newTitle")} data-testid="schedule-form">
        <CsrfInput />
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="report" value={v.report} />
        <div>
          <fieldset className="card">
            <legend>{t("schedules.what")}</legend>
            <div className="field">
              <label htmlFor="s-name">{t("schedules.name")}</label>
              <input id="s-name" name="name" type="text" defaultValue={v.name} placeholder={t("schedules.namePlaceholder")} aria-invalid={err("name") ? true : undefined} maxLength={120} required />
              {err("name") ? <span className="field-error">{err("name")}</span> : null}
            </div>
            <p style={{ margin: "0 0 0.5rem" }}>
              <strong>{title(v.report)}</strong>
            </p>
            <div role="radiogroup" aria-label={t("schedules.formatLabel")} className="form-row">
              <label>
                <input type="radio" name="format" value="xlsx" defaultChecked={v.format === "xlsx"} /> {t("schedules.format.xlsx")}
              </label>
              <label>
                <input type="radio" name="format" value="csv" defaultChecked={v.format === "csv"} /> {t("schedules.format.csv")}
              </label>
            </div>
            <div className="field">
              <label htmlFor="s-tz">{t("reports.timeZone")}</label>
              <input id="s-tz" name="tz" type="text" dir="ltr" defaultValue={v.timeZone} aria-invalid={err("tz") ? true : undefined} autoComplete="off" spellCheck={false} />
              {err("tz") ? <span className="field-error">{err("tz")}</span> : <span className="hint">{t("schedules.tzHint", { zone: c.merchantTimeZone })}</span>}
            </div>
            <label style={{ display: "block" }}>
              <input type="radio" name="amounts" value="major" defaultChecked={v.amounts === "major"} /> {t("reports.major", { example: fmt.number(12.5) })}
            </label>
            <label style={{ display: "block" }}>
              <input type="radio" name="amounts" value="minor" defaultChecked={v.amounts === "minor"} /> {t("reports.minor", { example: fmt.number(1250) })}
            </label>
            <label style={{ display: "block" }}>
              <input type="checkbox" name="jalali" value="1" defaultChecked={v.jalali} /> {t("exports.jalaliColumns")}
            </label>
            <label style={{ display: "block" }}>
              <input type="checkbox" name="excel" value="1" defaultChecked={v.excel} /> {t("exports.excelCompatible")}
            </label>
            <div className="field">
              <label htmlFor="s-filters">{t("schedules.filters")}</label>
              <input id="s-filters" name="filters" type="text" dir="ltr" defaultValue={v.filters} placeholder={FILTER_SAMPLE} aria-invalid={err("filters") ? true : undefined} />
              <span className="hint">
                {t("schedules.filtersHint")}{" "}
                {/* The example is typed as is (the export link's syntax): its own left-to-right run, never mixed into a Persian sentence. */}
                <code dir="ltr">{FILTER_EXAMPLE}</code>
              </span>
            </div>
          </fieldset>

          <fieldset className="card">
            <legend>{t("schedules.whenLegend")}</legend>
            <div role="radiogroup" aria-label={t("schedules.frequencyLabel")} className="form-row">
              {(["daily", "weekly", "monthly"] as const).map((f) => (
                <label key={f}>
                  <input type="radio" name="frequency" value={f} defaultChecked={v.frequency === f} /> {t(`schedules.frequency.${f}`)}
                </label>
              ))}
            </div>
            {err("frequency") ? <p className="field-error">{err("frequency")}</p> : null}
            <div className="form-row">
              <div className="field">
                <label htmlFor="s-time">{t("schedules.time")}</label>
                <input id="s-time" name="time" type="time" dir="ltr" defaultValue={v.localTime} aria-invalid={err("time") ? true : undefined} required />
                {err("time") ? <span className="field-error">{err("time")}</span> : null}
              </div>
              <div className="field">
                <label htmlFor="s-weekday">{t("schedules.weekday")}</label>
                <select id="s-weekday" name="weekday" defaultValue={String(v.weekday)} aria-invalid={err("weekday") ? true : undefined}>
                  {[6, 0, 1, 2, 3, 4, 5].map((d) => (
                    <option key={d} value={d}>
                      {weekdayName(d, fmt.locale)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="s-day">{t("schedules.monthDay")}</label>
                <select id="s-day" name="month_day" defaultValue={String(v.monthDay)} aria-invalid={err("month_day") ? true : undefined}>
                  {days.map((d) => (
                    <option key={d} value={d}>
                      {fmt.number(d)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="s-calendar">{t("schedules.calendar")}</label>
                <select id="s-calendar" name="calendar" defaultValue={v.calendar}>
                  {c.calendars.map((cal) => (
                    <option key={cal} value={cal}>
                      {t(cal === "jalali" ? "statements.calendar.jalali" : "statements.calendar.gregorian")}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <p className="hint muted">{t("schedules.whenHint", { day: 31 })}</p>
          </fieldset>
        </div>

        <div>
          <fieldset className="card">
            <legend>{t("schedules.recipients")}</legend>
            <p className="hint muted" style={{ marginBlockStart: 0 }}>
              {t("schedules.recipientsHint")}
            </p>
            {err("recipients") ? (
              <p className="field-error" role="alert">
                {err("recipients")}
              </p>
            ) : null}
            {c.members.map((m) => (
              <label key={m.userId} style={{ display: "flex", gap: "0.5rem", alignItems: "flex-start", marginBlockEnd: "0.4rem" }}>
                <input type="checkbox" name="recipient" value={m.userId} defaultChecked={v.recipientUserIds.includes(m.userId)} disabled={!!m.refusal && !v.recipientUserIds.includes(m.userId)} />
                <span style={{ minWidth: 0 }}>
                  {m.name} <span className="muted" dir="ltr" style={{ overflowWrap: "anywhere" }}>{m.email}</span>
                  <br />
                  <span className="muted" style={{ fontSize: "0.85rem" }}>
                    {isMessageKey(`role.${m.role}`) ? t(`role.${m.role}` as MessageKey) : m.role}
                    {m.refusal ? ` · ${t("schedules.cannotReceive")}` : ""}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>

          <fieldset className="card">
            <legend>{t("reports.columns")}</legend>
            {err("columns") ? <p className="field-error">{err("columns")}</p> : null}
            <div style={{ columns: "12rem auto" }}>
              {c.columns.map((col) => (
                <label key={col.key} style={{ display: "block", breakInside: "avoid" }} title={col.doc}>
                  {/* The column's name in the reader's words; the file keeps the machine name, shown small beside it. */}
                  <input type="checkbox" name="col" value={col.key} defaultChecked={col.checked} />{" "}
                  {isMessageKey(`exportColumn.${col.key}`) ? (
                    <>
                      {t(`exportColumn.${col.key}` as MessageKey)}{" "}
                      <code dir="ltr" className="muted" style={{ fontSize: "0.8rem" }}>
                        {col.key}
                      </code>
                    </>
                  ) : (
                    <code dir="ltr">{col.key}</code>
                  )}
                </label>
              ))}
            </div>
          </fieldset>

          {error && !["name", "tz", "time", "recipients", "columns", "frequency"].includes(error.field) ? (
            <p className="error-box" role="alert">
              <span dir="ltr">{error.field}</span>: {error.message}
            </p>
          ) : null}
          <p>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="schedule-save">
              {v.id ? t("schedules.save") : t("schedules.create")}
            </button>
          </p>
        </div>
      </Form>
    </>
  );
}
