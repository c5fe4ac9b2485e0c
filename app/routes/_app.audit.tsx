import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { requireContext } from "~/modules/access/guard.server";
import { AUDIT_ACTION_GROUPS, auditFilterSchema, listAuditEvents } from "~/modules/audit/audit-log.server";
import { describeDevice } from "~/lib/user-agent";

export const meta: MetaFunction = () => [{ title: "Audit log · Merchant Console" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "audit:view");
  const url = new URL(request.url);
  const parsed = auditFilterSchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Response(`The ${issue?.path[0] ?? "filter"} filter is not valid: ${issue?.message ?? "check it"}.`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const page = await listAuditEvents(ctx.scope, parsed.data, { timeZone: ctx.merchant.timeZone });
  return json({
    timeZone: ctx.merchant.timeZone,
    filters: parsed.data,
    groups: AUDIT_ACTION_GROUPS,
    rows: page.rows.map((r) => ({ ...r, device: describeDevice(r.userAgent) })),
    nextBefore: page.nextBefore,
  });
}

function localTime(iso: string, tz: string): string {
  return new Date(iso).toLocaleString("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "medium" });
}

function detailText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(", ");
}

export default function AuditLog() {
  const data = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const f = data.filters;
  const next = new URLSearchParams(params);
  if (data.nextBefore) next.set("before", String(data.nextBefore));
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <p>Who did what, and what was refused. Times in {data.timeZone}. Entries cannot be changed or deleted.</p>
        </div>
      </div>
      <Form method="get" className="card form-row" aria-label="Filters">
        <div className="field">
          <label htmlFor="f-action">Action</label>
          <select id="f-action" name="action" defaultValue={f.action ?? ""}>
            <option value="">All actions</option>
            {Object.entries(data.groups).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
            {f.action && f.action.includes(".") ? <option value={f.action}>{f.action}</option> : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-outcome">Outcome</label>
          <select id="f-outcome" name="outcome" defaultValue={f.outcome ?? ""}>
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
            <option value="denied">Denied</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-actor">Person (email)</label>
          <input id="f-actor" name="actor" type="search" defaultValue={f.actor ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="f-target">Target id</label>
          <input id="f-target" name="target" type="search" defaultValue={f.target ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="f-from">From</label>
          <input id="f-from" name="from" type="date" defaultValue={f.from ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="f-to">To</label>
          <input id="f-to" name="to" type="date" defaultValue={f.to ?? ""} />
        </div>
        <button type="submit" className="btn btn-primary">
          Filter
        </button>
        <Link to="/audit" className="btn">
          Clear
        </Link>
      </Form>
      <div className="table-wrap" style={{ marginBlockStart: "1rem" }}>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Target</th>
              <th scope="col">From</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {data.rows.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty-state">
                  No events match these filters.
                </td>
              </tr>
            ) : (
              data.rows.map((r) => (
                <tr key={r.id}>
                  <td className="num">{localTime(r.createdAt, data.timeZone)}</td>
                  <td>{r.actorEmail ?? r.actorUserId ?? "—"}</td>
                  <td>
                    <code>{r.action}</code>
                  </td>
                  <td>
                    <span className={`badge badge-${r.outcome === "success" ? "active" : "failed"}`}>{r.outcome}</span>
                  </td>
                  <td>{r.targetType ? `${r.targetType} ${r.targetId ?? ""}` : "—"}</td>
                  <td>
                    {r.ip ?? "—"}
                    <div className="muted">{r.userAgent ? r.device : null}</div>
                  </td>
                  <td style={{ maxWidth: 360, overflowWrap: "anywhere" }}>{detailText(r.details)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <nav className="pagination" aria-label="Pages">
        {f.before ? <Link to={`/audit?${new URLSearchParams([...params].filter(([k]) => k !== "before"))}`}>Newest</Link> : <span />}
        {data.nextBefore ? <Link to={`/audit?${next}`}>Older events</Link> : null}
      </nav>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
