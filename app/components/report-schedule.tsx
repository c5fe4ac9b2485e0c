/**
 * The parts of the scheduled-reports pages: the schedule form (new and edit), the sentence
 * saying when a schedule runs, and a run's row of history.
 */
import { Form } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { errorAria, ErrorSummary, Field, FieldError, RadioOptions, SubmitButton, useFormFailure, type FormState } from "~/components/form";
import type { MessageKey } from "~/lib/i18n/en";
import { isMessageKey } from "~/lib/i18n/translate";
import { useI18n } from "~/lib/i18n/react";
import type { ScheduleFormValues } from "~/lib/report-schedule";
import type { ReportId } from "~/lib/vocabulary";

export interface ScheduleFormData {
  values: ScheduleFormValues;
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

/** Report ids in catalog keys (keys have no hyphens). */
export const REPORT_KEYS = {
  payments: "payments",
  refunds: "refunds",
  payouts: "payouts",
  "payout-reconciliation": "payoutReconciliation",
  "balance-summary": "balanceSummary",
  "audit-log": "auditLog",
  subscriptions: "subscriptions",
  invoices: "invoices",
} as const satisfies Record<ReportId, string>;

export function useReportTitle() {
  const { t } = useI18n();
  return (id: string) => (id in REPORT_KEYS ? t(`reports.report.${REPORT_KEYS[id as ReportId]}.title`) : id);
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

/** Bytes in the reader's units and digits ("≈ ۳۶٫۲ کیلوبایت"), through Intl's byte units. */
export function humanBytes(bytes: number, locale: string): string {
  const [value, unit] =
    bytes < 1024
      ? [bytes, "byte"]
      : bytes < 1024 ** 2
        ? [Math.round((bytes / 1024) * 10) / 10, "kilobyte"]
        : bytes < 1024 ** 3
          ? [Math.round((bytes / 1024 ** 2) * 10) / 10, "megabyte"]
          : [Math.round((bytes / 1024 ** 3) * 10) / 10, "gigabyte"];
  // Persian has no short byte units of its own ("kB" in a Persian sentence): spell them out.
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: locale.startsWith("fa") ? "long" : "short" }).format(value);
}

/** The values as the refused form had them (what was typed, ticked and chosen), else as loaded. */
function refusedValues(v: ScheduleFormValues, back: Record<string, string>): ScheduleFormValues {
  if (back.intent !== "save") return v;
  // A ticked list comes back joined by spaces (typedValues in web/form.server.ts), absent when none was ticked.
  const list = (k: string) => (back[k] ? back[k]!.split(" ") : []);
  const num = (k: string, d: number) => (/^\d{1,2}$/.test(back[k] ?? "") ? Number(back[k]) : d);
  return {
    ...v,
    name: back.name ?? v.name,
    format: back.format === "csv" || back.format === "xlsx" ? back.format : v.format,
    filters: back.filters ?? v.filters,
    columns: list("col"),
    timeZone: back.tz ?? v.timeZone,
    amounts: back.amounts === "minor" ? "minor" : "major",
    excel: back.excel === "1",
    jalali: back.jalali === "1",
    frequency: back.frequency ?? v.frequency,
    weekday: num("weekday", v.weekday),
    monthDay: num("month_day", v.monthDay),
    localTime: back.time ?? v.localTime,
    calendar: back.calendar ?? v.calendar,
    recipientUserIds: list("recipient"),
  };
}

/** A group of radios or ticks refused as one field: its message, and what ties the group to it. */
function groupError(form: FormState, name: string, id: string) {
  const message = form.errors[name];
  return { message, aria: errorAria(message, id), node: <FieldError id={id} message={message} /> };
}

/** The schedule form (new and edit); a refused save comes back on its fields with what was typed. */
export function ScheduleForm({ data, busy }: { data: ScheduleFormData; busy: boolean }) {
  const { t, fmt } = useI18n();
  const title = useReportTitle();
  const form = useFormFailure("save");
  const v = refusedValues(data.values, form.values);
  const c = data.choices;
  const format = groupError(form, "format", "s-format-error");
  const frequency = groupError(form, "frequency", "s-frequency-error");
  const recipients = groupError(form, "recipients", "s-recipients-error");
  const columns = groupError(form, "columns", "s-columns-error");
  const days = Array.from({ length: 31 }, (_, i) => i + 1);
  /** A field typed as written in every language (a zone's name, a filter): left to right. */
  const typedLtr = { form, type: "text", dir: "ltr" } as const;
  return (
    <>
      {/* Another report's columns: a GET of this page with that report (works without scripts). */}
      <Form method="get" className="card form-row" aria-label={t("schedules.report")} style={{ alignItems: "flex-end" }}>
        <Field id="s-report" name="report" label={t("schedules.report")} className="field-grow">
          {(control) => (
            <select {...control} defaultValue={v.report} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
              {c.reports.map((r) => (
                <option key={r.id} value={r.id}>
                  {title(r.id)}
                </option>
              ))}
            </select>
          )}
        </Field>
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
            <Field form={form} id="s-name" name="name" label={t("schedules.name")} type="text" placeholder={t("schedules.namePlaceholder")} maxLength={120} required />
            <p style={{ margin: "0 0 0.5rem" }}>
              <strong>{title(v.report)}</strong>
            </p>
            <div role="radiogroup" aria-label={t("schedules.formatLabel")} className="form-row" {...format.aria}>
              <RadioOptions name="format" checked={v.format} options={(["xlsx", "csv"] as const).map((f) => ({ value: f, label: t(`schedules.format.${f}`) }))} />
            </div>
            {format.node}
            <Field {...typedLtr} id="s-tz" name="tz" label={t("reports.timeZone")} defaultValue={v.timeZone} autoComplete="off" spellCheck={false} hint={t("schedules.tzHint", { zone: c.merchantTimeZone })} />
            <RadioOptions
              name="amounts"
              checked={v.amounts}
              style={{ display: "block" }}
              options={(["major", "minor"] as const).map((a) => ({ value: a, label: t(`reports.${a}`, { example: fmt.number(a === "major" ? 12.5 : 1250) }) }))}
            />
            <label style={{ display: "block" }}>
              <input type="checkbox" name="jalali" value="1" defaultChecked={v.jalali} /> {t("exports.jalaliColumns")}
            </label>
            <label style={{ display: "block" }}>
              <input type="checkbox" name="excel" value="1" defaultChecked={v.excel} /> {t("exports.excelCompatible")}
            </label>
            <Field
              {...typedLtr}
              id="s-filters"
              name="filters"
              label={t("schedules.filters")}
              defaultValue={v.filters}
              placeholder={FILTER_SAMPLE}
              hint={
                <>
                  {t("schedules.filtersHint")}{" "}
                  {/* The example is typed as is (the export link's syntax): its own left-to-right run, never mixed into a Persian sentence. */}
                  <code dir="ltr">{FILTER_EXAMPLE}</code>
                </>
              }
            />
          </fieldset>

          <fieldset className="card">
            <legend>{t("schedules.whenLegend")}</legend>
            <div role="radiogroup" aria-label={t("schedules.frequencyLabel")} className="form-row" {...frequency.aria}>
              <RadioOptions
                name="frequency"
                checked={v.frequency}
                options={(["daily", "weekly", "monthly"] as const).map((f) => ({ value: f, label: t(`schedules.frequency.${f}`) }))}
              />
            </div>
            {frequency.node}
            <div className="form-row">
              <Field form={form} id="s-time" name="time" label={t("schedules.time")} type="time" dir="ltr" defaultValue={v.localTime} required />
              <Field
                form={form}
                id="s-weekday"
                name="weekday"
                label={t("schedules.weekday")}
                defaultValue={String(v.weekday)}
                options={[6, 0, 1, 2, 3, 4, 5].map((d) => ({ value: String(d), label: weekdayName(d, fmt.locale) }))}
              />
              <Field
                form={form}
                id="s-day"
                name="month_day"
                label={t("schedules.monthDay")}
                defaultValue={String(v.monthDay)}
                options={days.map((d) => ({ value: String(d), label: fmt.number(d) }))}
              />
              <Field
                form={form}
                id="s-calendar"
                name="calendar"
                label={t("schedules.calendar")}
                defaultValue={v.calendar}
                options={c.calendars.map((cal) => ({ value: cal, label: t(cal === "jalali" ? "statements.calendar.jalali" : "statements.calendar.gregorian") }))}
              />
            </div>
            <p className="hint muted">{t("schedules.whenHint", { day: 31 })}</p>
          </fieldset>
        </div>

        <div>
          <fieldset className="card" {...recipients.aria}>
            <legend>{t("schedules.recipients")}</legend>
            <p className="hint muted" style={{ marginBlockStart: 0 }}>
              {t("schedules.recipientsHint")}
            </p>
            {recipients.node}
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

          <fieldset className="card" {...columns.aria}>
            <legend>{t("reports.columns")}</legend>
            {columns.node}
            <div style={{ columns: "12rem auto" }}>
              {c.columns.map((col) => (
                <label key={col.key} style={{ display: "block", breakInside: "avoid" }} title={col.doc}>
                  {/* The column's name in the reader's words; the file keeps the machine name, shown small beside it. */}
                  <input type="checkbox" name="col" value={col.key} defaultChecked={v.columns.includes(col.key)} />{" "}
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

          {/* What belongs to no field shown above (the report, the amounts, the form itself). */}
          <ErrorSummary form={form} fields={["report", "amounts", "excel", "jalali", "id"]} />
          <p>
            <SubmitButton busy={busy} testId="schedule-save">{v.id ? t("schedules.save") : t("schedules.create")}</SubmitButton>
          </p>
        </div>
      </Form>
    </>
  );
}
