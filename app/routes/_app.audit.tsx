import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { useId } from "react";
import { FilterActions } from "~/components/console/filters";
import { pageTitle } from "~/components/console/meta";
import { DayInput } from "~/components/day-input";
import { RouteErrorBoundary } from "~/components/route-error";
import type { MessageKey } from "~/lib/i18n/en";
import { auditActionLabel, auditTargetLabel, deviceLabel, listFieldError } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { deviceParts } from "~/lib/user-agent";
import { requireContext } from "~/web/guard.server";
import { ErrorSummary, Field, formState } from "~/components/form";
import { makeFormatter } from "~/lib/format";
import { parseListQuery } from "~/modules/reporting/list-query.server";
import { viewsMenu } from "~/web/views.server";
import { ViewsMenu } from "~/components/console/views-menu";
import { AUDIT_ACTION_GROUPS, auditFilterSchema, listAuditEvents } from "~/modules/audit/audit-log.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { BeforeLinks, PageHeader, Table } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "audit.title");

// Here, not from the .server module: the filter's options render in the browser too.
const OUTCOMES = ["success", "failure", "denied"] as const;

const FILTER_LABELS: Record<string, MessageKey> = {
  action: "audit.filter.action",
  outcome: "audit.filter.outcome",
  actor: "audit.filter.actor",
  target: "audit.filter.target",
  from: "dates.from",
  to: "dates.to",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "audit:view");
  const url = new URL(request.url);
  // A bad filter is dropped and named beside its field (a 400), the rest still applies.
  const { query: filters, errors: raw } = parseListQuery(auditFilterSchema, url.searchParams);
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const fmt = makeFormatter({ ...prefs });
  const errors: Record<string, string> = {};
  for (const [field, message] of Object.entries(raw)) {
    errors[field] =
      field === "from" || field === "to"
        ? (listFieldError(t, fmt, field, message) ?? message)
        : t("audit.error.invalidFilter", { field: t(FILTER_LABELS[field] ?? "common.filters") });
  }
  const [page, views] = await Promise.all([listAuditEvents(ctx.scope, filters, { timeZone: ctx.merchant.timeZone }), viewsMenu(ctx, "audit")]);
  return json({
    timeZone: ctx.merchant.timeZone,
    filters,
    errors,
    groups: Object.keys(AUDIT_ACTION_GROUPS) as (keyof typeof AUDIT_ACTION_GROUPS)[],
    rows: page.rows.map((r) => ({ ...r, device: deviceParts(r.userAgent) })),
    nextBefore: page.nextBefore,
    views,
  }, { status: Object.keys(errors).length ? 400 : 200 });
}

function detailText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(", ");
}

export default function AuditLog() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const [params] = useSearchParams();
  const f = data.filters;
  // A refused filter reads like a refused form: beside its field, the rest in the summary.
  const filterState = formState({ ok: false, errors: data.errors }, undefined);
  return (
    <>
      <PageHeader title={t("audit.title")} intro={t("audit.intro", { zone: fmt.zoneName(data.timeZone) })}>
          <ViewsMenu list="audit" data={data.views} />
        </PageHeader>
      <ErrorSummary form={filterState} fields={Object.keys(data.errors).filter((k) => k !== "from" && k !== "to")} />
      <Form method="get" className="card form-row" aria-label={t("audit.filtersLabel")}>
        <Field id={`${id}-action`} name="action" label={t("audit.filter.action")}>
          {(c) => (
            <select {...c} defaultValue={f.action ?? ""}>
              <option value="">{t("audit.filter.allActions")}</option>
              {data.groups.map((k) => (
                <option key={k} value={k}>
                  {t(`audit.group.${k}`)}
                </option>
              ))}
              {f.action && f.action.includes(".") ? <option value={f.action}>{auditActionLabel(t, f.action)}</option> : null}
            </select>
          )}
        </Field>
        <Field
          id={`${id}-outcome`}
          name="outcome"
          label={t("audit.filter.outcome")}
          defaultValue={f.outcome ?? ""}
          options={[{ value: "", label: t("filters.any") }, ...OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}`) }))]}
        />
        <Field id={`${id}-actor`} name="actor" label={t("audit.filter.actor")} type="search" dir="ltr" defaultValue={f.actor ?? ""} />
        <Field id={`${id}-target`} name="target" label={t("audit.filter.target")} type="search" dir="ltr" defaultValue={f.target ?? ""} />
        {(["from", "to"] as const).map((name) => (
          <Field key={name} form={filterState} id={`${id}-${name}`} name={name} label={t(name === "from" ? "dates.from" : "dates.to")}>
            {(c) => <DayInput id={c.id} name={c.name} defaultValue={params.get(name) ?? f[name]} invalid={!!c["aria-invalid"]} describedBy={c["aria-describedby"]} />}
          </Field>
        ))}
        <FilterActions clearHref="/audit" label={t("audit.filter.submit")} />
      </Form>
      <Table wrapStyle={{ marginBlockStart: "1rem" }} columns={[t("audit.col.when"), t("audit.col.who"), t("audit.col.action"), t("audit.col.outcome"), t("audit.col.target"), t("audit.col.origin"), t("audit.col.details")]} empty={data.rows.length === 0 ? t("audit.empty") : null}>
          <tbody>
            {data.rows.map((r) => (
              <tr key={r.id}>
                <td className="nowrap">{fmt.dateTime(r.createdAt)}</td>
                <td>
                  <bdi>{r.actorEmail ?? r.actorUserId ?? "—"}</bdi>
                </td>
                <td>
                  {auditActionLabel(t, r.action)}
                  <div>
                    <code className="muted">{r.action}</code>
                  </div>
                </td>
                <td>
                  <span className={`badge badge-${r.outcome === "success" ? "active" : "failed"}`}>{t(`audit.outcome.${r.outcome}`)}</span>
                </td>
                <td>
                  {r.targetType ? (
                    <>
                      {auditTargetLabel(t, r.targetType)} <bdi className="mono">{r.targetId ?? ""}</bdi>
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td>
                  <bdi className="mono">{r.ip ?? "—"}</bdi>
                  <div className="muted">{r.userAgent ? deviceLabel(t, r.device) : null}</div>
                </td>
                <td dir="ltr" style={{ maxWidth: 360, overflowWrap: "anywhere" }}>
                  {detailText(r.details)}
                </td>
              </tr>
            ))}
          </tbody>
      </Table>
      <BeforeLinks path="/audit" before={f.before} nextBefore={data.nextBefore} newest={t("audit.newest")} older={t("audit.older")} />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
