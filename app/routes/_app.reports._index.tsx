/**
 * /reports: pick a report, its period, time zone, columns (and their order), amount
 * format and Excel compatibility; see how many rows and roughly how large the file
 * will be; download. A GET form: every choice lives in the URL and the page works
 * without JavaScript (with it, the preview refreshes as choices change).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useRef, type FormEvent } from "react";
import { pageTitle } from "~/components/console/meta";
import { workbookHref } from "~/components/console/url";
import { DayInput } from "~/components/day-input";
import { RouteErrorBoundary } from "~/components/route-error";
import type { MessageKey } from "~/lib/i18n/en";
import { reportFieldError } from "~/lib/i18n/messages";
import { isMessageKey } from "~/lib/i18n/translate";
import { useI18n } from "~/lib/i18n/react";
import { requireContext } from "~/web/guard.server";
import { reportsPage } from "~/web/exports/reports-page.server";
import { PageHeader } from "~/components/page";
import { REPORT_KEYS, humanBytes } from "~/components/report-schedule";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "reports.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "reports:export");
  const state = await reportsPage(ctx, new URL(request.url).searchParams);
  return json(state, { headers: { "Cache-Control": "private, no-store" } });
}

export { RouteErrorBoundary as ErrorBoundary };

/** The start of a payout id, as a hint of what to paste (the same in every language). */
const PAYOUT_ID_SAMPLE = "po_…";

const COMMON_ZONES = ["UTC", "Asia/Tehran", "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Dubai", "Asia/Istanbul", "Asia/Tokyo"];

export default function Reports() {
  const s = useLoaderData<typeof loader>();
  const { fmt, t } = useI18n();
  const submit = useSubmit();
  const navigation = useNavigation();
  const form = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  // Ticks and choices refresh the preview at once; typing (a zone, a payout id) waits for a pause.
  const refresh = (e: FormEvent<HTMLFormElement>) => {
    const typing = e.target instanceof HTMLInputElement && e.target.type === "text";
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (form.current) submit(form.current, { replace: true, preventScrollReset: true });
    }, typing ? 700 : 0);
  };
  const err = (field: string) => (s.error?.field === field ? s.error.message : null);
  // The page's refusals are English sentences; a Persian reader gets the reason in Persian.
  const errorMessage = s.error ? reportFieldError(t, fmt, s.error.field, s.error.message) : null;
  const busy = navigation.state !== "idle";
  const isArrival = s.report === "payouts" || s.report === "payout-reconciliation";
  const rangeText =
    s.uses.payout && s.payout && s.preview
      ? s.preview.rangeText
      : s.start && s.end
        ? t("reports.preview.range", { from: fmt.day(s.start), to: fmt.day(s.end) })
        : s.start
          ? t("reports.preview.from", { from: fmt.day(s.start) })
          : s.end
            ? t("reports.preview.until", { to: fmt.day(s.end) })
            : t("filters.allTime");

  // "Schedule this report": the page's report, zone, columns and options, to the Schedules page's form.
  const scheduleHref = `/reports/schedules?${new URLSearchParams({
    report: s.report,
    tz: s.timeZone,
    columns: s.columns.filter((c) => c.checked).map((c) => c.key).join(","),
    amounts: s.amounts,
    excel: s.excel ? "1" : "0",
    jalali: s.jalali ? "1" : "0",
  }).toString()}`;
  return (
    <>
      <PageHeader title={t("reports.title")} intro={t("reports.subtitle")} />
      <Form method="get" ref={form} onChange={refresh} aria-label={t("reports.title")} className="grid grid-2" key={s.report}>
        <input type="hidden" name="shown" value={s.report} />
        <input type="hidden" name="order" value={s.columns.map((c) => c.key).join(",")} />
        <input type="hidden" name="excel_shown" value="1" />
        <div>
          <fieldset className="card">
            <legend>{t("reports.reportLegend")}</legend>
            {s.reports.map((r) => (
              <label key={r.id} style={{ display: "flex", gap: "0.5rem", alignItems: "flex-start", marginBlockEnd: "0.6rem" }}>
                <input type="radio" name="report" value={r.id} defaultChecked={r.id === s.report} />
                <span>
                  <strong>{t(`reports.report.${REPORT_KEYS[r.id]}.title`)}</strong>
                  <br />
                  <span className="muted">{t(`reports.report.${REPORT_KEYS[r.id]}.description`)}</span>
                </span>
              </label>
            ))}
          </fieldset>

          <fieldset className="card">
            <legend>{t("reports.period")}</legend>
            <div className="form-row">
              <div className="field">
                <label htmlFor="r-start">{t("reports.start")}</label>
                <DayInput key={`start-${s.start}`} id="r-start" name="start" defaultValue={s.start} invalid={!!(err("start") || err("from"))} />
              </div>
              <div className="field">
                <label htmlFor="r-end">{t("reports.end")}</label>
                <DayInput key={`end-${s.end}`} id="r-end" name="end" defaultValue={s.end} invalid={!!(err("end") || err("to"))} />
              </div>
            </div>
            <p className="hint muted">{isArrival ? t("reports.arrivalHint") : t("reports.periodHint", { midnight: fmt.digits("00:00") })}</p>
            {s.uses.payout ? (
              <div className="field">
                <label htmlFor="r-payout">{t("reports.payout")}</label>
                <input id="r-payout" name="payout" type="text" dir="ltr" defaultValue={s.payout} placeholder={PAYOUT_ID_SAMPLE} aria-invalid={err("payout") ? true : undefined} />
                <span className="hint">{t("reports.payoutHint", { example: PAYOUT_ID_SAMPLE })}</span>
              </div>
            ) : null}
            <div className="field">
              <label htmlFor="r-tz">{t("reports.timeZone")}</label>
              <input id="r-tz" name="tz" type="text" dir="ltr" list="r-tz-list" defaultValue={s.timeZone} aria-invalid={err("tz") ? true : undefined} autoComplete="off" spellCheck={false} />
              <datalist id="r-tz-list">
                <option value={s.merchantTimeZone}>{t("reports.merchantZone")}</option>
                {COMMON_ZONES.filter((z) => z !== s.merchantTimeZone).map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
              <span className="hint">{t("reports.timeZoneHint")}</span>
            </div>
          </fieldset>

          <fieldset className="card">
            <legend>{t("reports.amounts")}</legend>
            <label style={{ display: "block" }}>
              <input type="radio" name="amounts" value="major" defaultChecked={s.amounts === "major"} />{" "}
              {t("reports.major", { example: fmt.number(12.5) })}
            </label>
            <label style={{ display: "block" }}>
              <input type="radio" name="amounts" value="minor" defaultChecked={s.amounts === "minor"} />{" "}
              {t("reports.minor", { example: fmt.number(1250) })}
            </label>
            <hr style={{ border: 0, borderBlockStart: "1px solid var(--border)", marginBlock: "0.75rem" }} />
            <label>
              <input type="checkbox" name="jalali" value="1" defaultChecked={s.jalali} /> {t("exports.jalaliColumns")}
            </label>
            <p className="hint muted">{t("exports.jalaliColumnsHint")}</p>
            <label>
              <input type="checkbox" name="excel" value="1" defaultChecked={s.excel} /> {t("exports.excelCompatible")}
            </label>
            <p className="hint muted">{t("reports.excelHint")}</p>
          </fieldset>
        </div>

        <div>
          <section className="card" aria-labelledby="r-preview" aria-busy={busy}>
            <h2 id="r-preview">{t("reports.before")}</h2>
            {s.error ? (
              <div className="error-box" role="alert">
                <strong>{t("reports.fix")}</strong> <span dir="auto">{errorMessage}</span>
              </div>
            ) : null}
            {s.preview ? (
              <>
                <dl className="dl">
                  <dt>{t("reports.rows")}</dt>
                  <dd className="num" data-testid="preview-rows">{fmt.number(s.preview.rows)}</dd>
                  <dt>{t("reports.size")}</dt>
                  <dd className="num" data-testid="preview-size">≈ {humanBytes(s.preview.estimatedBytes, fmt.locale)}</dd>
                  <dt>{t("reports.range")}</dt>
                  <dd>{rangeText}</dd>
                  <dt>{t("reports.timeZone")}</dt>
                  <dd dir="ltr">{s.preview.timeZone}</dd>
                  <dt>{t("reports.file")}</dt>
                  <dd dir="ltr">
                    <code style={{ overflowWrap: "anywhere" }}>{s.preview.fileName}</code>
                  </dd>
                </dl>
                {s.preview.rows === 0 ? <p className="muted">{t("reports.empty")}</p> : null}
                <p style={{ marginBlockStart: "1rem", display: "flex", gap: "0.5rem", flexWrap: "wrap" }}>
                  <a className="btn btn-primary" href={s.href} download={s.preview.fileName} data-testid="download">
                    {t("reports.download")}
                  </a>
                  <a className="btn" href={workbookHref(s.href)} download={s.preview.fileName.replace(/\.csv$/, ".xlsx")} data-testid="download-xlsx">
                    {t("reports.downloadXlsx")}
                  </a>
                  <Link className="btn" to={scheduleHref} data-testid="schedule-report">
                    {t("reports.schedule")}
                  </Link>
                  <noscript>
                    <button type="submit" className="btn">
                      {t("reports.update")}
                    </button>
                  </noscript>
                </p>
              </>
            ) : (
              <noscript>
                <button type="submit" className="btn">
                  {t("reports.update")}
                </button>
              </noscript>
            )}
            <p className="hint muted">{t("reports.xlsxHint")}</p>
            <p className="hint muted">{t("reports.more")}</p>
          </section>

          <fieldset className="card">
            <legend>{t("reports.columns")}</legend>
            <p className="hint muted" style={{ marginBlockStart: 0 }}>
              {t("reports.columnsHint")}
            </p>
            {err("columns") ? <p className="field-error">{err("columns")}</p> : null}
            <ol style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {s.columns.map((c, i) => (
                <li key={c.key} style={{ display: "flex", gap: "0.5rem", alignItems: "center", paddingBlock: "0.2rem", borderBlockEnd: "1px solid var(--border)" }}>
                  <input type="checkbox" name="col" value={c.key} id={`col-${c.key}`} defaultChecked={c.checked} />
                  <label htmlFor={`col-${c.key}`} style={{ flex: 1 }} title={c.doc}>
                    <code dir="ltr">{c.key}</code>{" "}
                    {fmt.lang === "en" || !isMessageKey(`exportColumn.${c.key}`) ? (
                      <span className="muted" style={{ fontSize: "0.85rem" }} lang="en" dir="ltr">
                        {c.doc}
                      </span>
                    ) : (
                      // The column's meaning in the reader's words; the English sentence stays in its title.
                      <span className="muted" style={{ fontSize: "0.85rem" }}>
                        {t(`exportColumn.${c.key}` as MessageKey)}
                      </span>
                    )}
                  </label>
                  <button type="submit" name="move" value={`${c.key}:up`} className="btn" disabled={i === 0} aria-label={t("reports.moveUp", { column: c.key })} style={{ minHeight: 28, padding: "0 0.5rem" }}>
                    ↑
                  </button>
                  <button type="submit" name="move" value={`${c.key}:down`} className="btn" disabled={i === s.columns.length - 1} aria-label={t("reports.moveDown", { column: c.key })} style={{ minHeight: 28, padding: "0 0.5rem" }}>
                    ↓
                  </button>
                </li>
              ))}
            </ol>
            <p style={{ marginBlockEnd: 0 }}>
              <button type="submit" className="btn">
                {t("reports.update")}
              </button>
            </p>
          </fieldset>
        </div>
      </Form>
    </>
  );
}
