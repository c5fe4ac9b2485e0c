/**
 * /reports/schedules: the team's scheduled reports (when each runs, its last run, pause,
 * delete) and a form for a new one, filled from the Reports page's choices ("Schedule this
 * report" carries them in the URL).
 */
import { clauseSeparator } from "~/lib/i18n/messages";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { ErrorSummary, useFormFailure } from "~/components/form";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import { FORMAT_NAMES, ScheduleForm, ScheduleWhen, useReportTitle } from "~/components/report-schedule";
import { useI18n } from "~/lib/i18n/react";
import { schedulesAction, schedulesPage } from "~/web/exports/schedules.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "schedules.title");

export const loader = ({ request }: LoaderFunctionArgs) => schedulesPage(request);
export const action = ({ request }: ActionFunctionArgs) => schedulesAction(request);

export { RouteErrorBoundary as ErrorBoundary };

export default function Schedules() {
  const data = useLoaderData<typeof loader>();
  const changeForm = useFormFailure(["pause", "resume", "delete"]);
  const navigation = useNavigation();
  const { t, fmt } = useI18n();
  const title = useReportTitle();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>{t("schedules.title")}</h1>
          <p>{t("schedules.intro", { mb: 10, days: 7 })}</p>
        </div>
        <Link to="/reports" className="btn">
          {t("schedules.backToReports")}
        </Link>
      </div>

      <section className="card" aria-labelledby="s-list">
        <h2 id="s-list">{t("schedules.listTitle")}</h2>
        {data.schedules.length === 0 ? <p className="muted">{t("schedules.none")}</p> : null}
        <ul style={{ listStyle: "none", margin: 0, padding: 0 }} data-testid="schedule-list">
          {data.schedules.map((s) => (
            <li key={s.id} style={{ display: "flex", flexWrap: "wrap", gap: "0.5rem 1rem", alignItems: "center", paddingBlock: "0.75rem", borderBlockEnd: "1px solid var(--border)" }}>
              <div style={{ flex: "1 1 18rem", minWidth: 0 }}>
                <Link to={`/reports/schedules/${s.id}`}>
                  <strong>{s.name}</strong>
                </Link>{" "}
                {s.paused ? <span className="badge badge-inactive">{t("schedules.paused")}</span> : null}
                <br />
                <span className="muted">
                  {title(s.report)}{clauseSeparator(t)}{FORMAT_NAMES[s.format]}{clauseSeparator(t)}<ScheduleWhen s={s} />
                </span>
                <br />
                <span className="muted" style={{ fontSize: "0.9rem" }}>
                  {t("schedules.recipientCount", { count: s.recipients })}
                  {clauseSeparator(t)}
                  {s.nextRunAt ? t("schedules.nextRun", { at: fmt.dateTime(s.nextRunAt) }) : t("schedules.notRunning")}
                  {s.lastRun ? (
                    <>
                      {clauseSeparator(t)}
                      {t("schedules.lastRun", { at: fmt.dateTime(s.lastRun.startedAt) })} <span className={`badge badge-${s.lastRun.status === "sent" ? "succeeded" : s.lastRun.status}`}>{t(`schedules.status.${s.lastRun.status as "sent"}`)}</span>
                    </>
                  ) : null}
                </span>
              </div>
              {s.mayEdit ? (
                <Form method="post" style={{ display: "flex", gap: "0.5rem" }}>
                  <CsrfInput />
                  <input type="hidden" name="id" value={s.id} />
                  <button type="submit" name="intent" value={s.paused ? "resume" : "pause"} className="btn" aria-label={`${s.paused ? t("schedules.resume") : t("schedules.pause")}: ${s.name}`}>
                    {s.paused ? t("schedules.resume") : t("schedules.pause")}
                  </button>
                  <Link to={`/reports/schedules/${s.id}`} className="btn">
                    {t("schedules.edit")}
                  </Link>
                </Form>
              ) : null}
              {/* A refused pause or resume, beside the schedule it was for. */}
              {changeForm.values.id === s.id ? <ErrorSummary form={changeForm} fields={["id"]} /> : null}
            </li>
          ))}
        </ul>
      </section>

      <h2 style={{ marginBlockStart: "1.5rem" }}>{t("schedules.newTitle")}</h2>
      <ScheduleForm data={data} busy={navigation.state !== "idle"} />
    </>
  );
}
