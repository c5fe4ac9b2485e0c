/**
 * /reports/schedules/:id: one scheduled report: when it runs next, its form (edit), pause,
 * resume, delete, and its run history (rows, size, sent to, who was left out and why, failures).
 */
import { clauseSeparator, errorText } from "~/lib/i18n/messages";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { CsrfInput } from "~/components/csrf";
import { ErrorSummary, useFormFailure } from "~/components/form";
import { Facts } from "~/components/page";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import { FORMAT_NAMES, ScheduleForm, ScheduleWhen, humanBytes, useReportTitle } from "~/components/report-schedule";
import { useI18n } from "~/lib/i18n/react";
import { scheduleAction, schedulePage } from "~/web/exports/schedules.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "schedules.title");

export const loader = ({ request, params }: LoaderFunctionArgs) => schedulePage(request, params.scheduleId ?? "");
export const action = ({ request, params }: ActionFunctionArgs) => scheduleAction(request, params.scheduleId ?? "");

export { RouteErrorBoundary as ErrorBoundary };

export default function Schedule() {
  const data = useLoaderData<typeof loader>();
  const changeForm = useFormFailure(["pause", "resume", "delete"]);
  const navigation = useNavigation();
  const { t, fmt } = useI18n();
  const title = useReportTitle();
  const s = data.schedule;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>{s.name}</h1>
          <Facts
            inline
            items={[
              [t("schedules.report"), title(s.report)],
              [t("schedules.formatLabel"), FORMAT_NAMES[s.format]],
              [t("schedules.whenLegend"), <ScheduleWhen key="when" s={s} />],
            ]}
          />
        </div>
        <Link to="/reports/schedules" className="btn">
          {t("schedules.allSchedules")}
        </Link>
      </div>
      {data.saved ? (
        <p className="notice" role="status">
          {t("schedules.saved")}
        </p>
      ) : null}
      <section className="card" aria-labelledby="s-next">
        <h2 id="s-next">{s.paused ? t("schedules.paused") : t("schedules.upcoming")}</h2>
        {s.paused ? (
          <p className="muted">{t("schedules.pausedHint")}</p>
        ) : (
          <ul data-testid="schedule-upcoming" style={{ listStyle: "none", padding: 0 }}>
            {data.upcoming.map((at) => (
              <li key={at}>{fmt.dateTime(at)}</li>
            ))}
          </ul>
        )}
        <ErrorSummary form={changeForm} fields={["id"]} />
        {s.mayEdit ? (
          <Form method="post" className="form-row">
            <CsrfInput />
            <button type="submit" name="intent" value={s.paused ? "resume" : "pause"} className="btn" data-testid="schedule-pause">
              {s.paused ? t("schedules.resume") : t("schedules.pause")}
            </button>
            <button
              type="submit"
              name="intent"
              value="delete"
              className="btn btn-danger"
              onClick={(e) => {
                if (!confirm(t("schedules.deleteConfirm", { name: s.name }))) e.preventDefault();
              }}
            >
              {t("schedules.delete")}
            </button>
          </Form>
        ) : (
          <p className="muted">{t("schedules.notYours")}</p>
        )}
      </section>

      <section className="card" aria-labelledby="s-history">
        <h2 id="s-history">{t("schedules.history")}</h2>
        {data.runs.length === 0 ? <p className="muted">{t("schedules.noRuns")}</p> : null}
        <ul style={{ listStyle: "none", margin: 0, padding: 0 }} data-testid="schedule-runs">
          {data.runs.map((r) =>
            r ? (
              <li key={r.id} style={{ paddingBlock: "0.6rem", borderBlockEnd: "1px solid var(--border)" }}>
                <span className={`badge badge-${r.status === "sent" ? "succeeded" : r.status}`}>{t(`schedules.status.${r.status as "sent"}`)}</span>{" "}
                <strong>{t("schedules.period", { from: fmt.day(r.periodStart), to: fmt.day(r.periodEnd) })}</strong>{" "}
                <span className="muted">{fmt.dateTime(r.startedAt)}</span>
                <br />
                {r.status === "sent" ? (
                  <span>
                    {t("schedules.runFigures", { rows: fmt.number(r.rows ?? 0), size: humanBytes(r.bytes ?? 0, fmt.locale) })}
                    {clauseSeparator(t)}
                    {r.delivery === "link" ? t("schedules.deliveryLink", { days: 7, mb: 10 }) : t("schedules.deliveryAttachment")}
                    {clauseSeparator(t)}
                    {t("schedules.sentTo")} <span dir="ltr" style={{ overflowWrap: "anywhere" }}>{r.sentTo.join(", ")}</span>
                  </span>
                ) : null}
                {r.failure ? (
                  <span className="field-error" style={{ display: "block" }} dir="auto">
                    {errorText(t, { message: r.failure, i18n: r.failureI18n })}
                  </span>
                ) : null}
                {r.leftOut.length > 0 ? (
                  <span className="muted" style={{ display: "block" }}>
                    {t("schedules.leftOut")}{" "}
                    {r.leftOut.map((l) => (
                      <span key={l.userId}>
                        <span dir="ltr" style={{ overflowWrap: "anywhere" }}>{l.email ?? l.userId}</span>{" "}
                        <span dir="auto">({errorText(t, { message: l.reason, i18n: l.reasonI18n })})</span>{" "}
                      </span>
                    ))}
                  </span>
                ) : null}
              </li>
            ) : null,
          )}
        </ul>
      </section>

      {s.mayEdit ? (
        <>
          <h2 style={{ marginBlockStart: "1.5rem" }}>{t("schedules.editTitle")}</h2>
          <ScheduleForm data={data} busy={navigation.state !== "idle"} />
        </>
      ) : null}
    </>
  );
}
