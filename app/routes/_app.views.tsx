/**
 * Saved views: every view the reader may use (their own and the team's shared ones), grouped
 * by list, each opening its list; the reader renames their own, and roles that may share
 * share, unshare and delete them. The lists' Views menus post "save" here. Plain forms: it
 * all works without scripts.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { describeViewQuery } from "~/components/console/view-filters";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import { isSavedViewList, VIEW_NAME_MAX, viewHref, type SavedViewList } from "~/lib/saved-views";
import consoleStyles from "~/styles/console.css";
import { requireAction, requireContext } from "~/web/guard.server";
import { clientOf } from "~/web/request.server";
import { viewFilterNames } from "~/web/views.server";
import { deleteView, listViews, renameView, saveView, setViewShared, viewDeletionImpact, viewListsFor, type ViewResult } from "~/modules/views/saved-views.server";
import { IntentForm } from "~/components/form";
import { Card } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "views.title");

const DONE = ["saved", "renamed", "deleted", "nowShared", "nowPrivate"] as const;
type Done = (typeof DONE)[number];

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const url = new URL(request.url);
  const only = url.searchParams.get("list");
  const lists = viewListsFor(ctx.role).filter((l) => !only || !isSavedViewList(only) || l === only);
  const views = await listViews(ctx, lists);
  const done = url.searchParams.get("done");
  // Deleting asks first (a page of its own, so it works without scripts), saying whom it affects.
  const confirmId = url.searchParams.get("confirm");
  const impact = confirmId ? await viewDeletionImpact(ctx, confirmId) : null;
  return json(
    {
      lists,
      views: views.map((v) => ({ ...v, updatedAt: v.updatedAt.toISOString() })),
      names: await viewFilterNames(ctx, views),
      confirm: confirmId
        ? impact
          ? { id: impact.view.id, name: impact.view.name, list: impact.view.list, shared: impact.view.shared, mine: impact.view.mine, ownerName: impact.view.ownerName, others: impact.others }
          : { missing: true as const }
        : null,
      canShare: can(ctx.role, "views:share"),
      done: DONE.includes(done as Done) ? { kind: done as Done, name: (url.searchParams.get("name") ?? "").slice(0, VIEW_NAME_MAX) } : null,
      only: only && isSavedViewList(only) ? only : null,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

type Failure = Extract<ViewResult, { ok: false }>;

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, null);
  const client = clientOf(request);
  const str = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v : "";
  };
  const intent = str("intent");
  const id = str("id");
  let r: ViewResult;
  let done: Done;
  if (intent === "save") {
    r = await saveView(ctx, { list: str("list"), name: str("name"), query: str("query"), shared: str("shared") === "1" }, client);
    if (r.ok) return redirect(r.view.href, 303);
    done = "saved";
  } else if (intent === "rename") {
    r = await renameView(ctx, id, str("name"), client);
    done = "renamed";
  } else if (intent === "share" || intent === "unshare") {
    r = await setViewShared(ctx, id, intent === "share", client);
    done = intent === "share" ? "nowShared" : "nowPrivate";
  } else if (intent === "delete") {
    // Only the confirmation's own button deletes; any other Delete opens the confirmation.
    if (str("confirmed") !== "1") {
      const ask = new URLSearchParams({ confirm: id });
      const only = str("only");
      if (only && isSavedViewList(only)) ask.set("list", only);
      return redirect(`/views?${ask}`, 303);
    }
    r = await deleteView(ctx, id, client);
    done = "deleted";
  } else {
    return json({ ok: false as const, field: "intent", code: "intent" as const, id, values: {} as Record<string, string> }, { status: 400 });
  }
  if (r.ok) {
    const back = new URLSearchParams({ done, name: r.view.name });
    const only = str("only");
    if (only && isSavedViewList(only)) back.set("list", only);
    return redirect(`/views?${back}`, 303);
  }
  const f: Failure = r;
  return json({ ok: false as const, field: f.field, code: f.code, id, values: { intent, list: str("list"), name: str("name"), query: str("query"), shared: str("shared") } }, { status: f.status });
}

const LIST_LABEL: Record<SavedViewList, MessageKey> = {
  payments: "views.list.payments",
  refunds: "views.list.refunds",
  payouts: "views.list.payouts",
  audit: "views.list.audit",
};

const DONE_TEXT: Record<Done, MessageKey> = {
  saved: "views.saved",
  renamed: "views.renamed",
  deleted: "views.deleted",
  nowShared: "views.nowShared",
  nowPrivate: "views.nowPrivate",
};

export default function ViewsPage() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormat();
  const keep = data.only ? `/views?list=${data.only}` : "/views";
  const error = failure && !failure.ok ? (failure.code === "intent" ? null : t(`views.error.${failure.code}` as MessageKey, { max: VIEW_NAME_MAX })) : null;
  // A failed save from a list's menu: the form again here, with the name to fix.
  const retry = failure && !failure.ok && failure.values.intent === "save" && isSavedViewList(failure.values.list ?? "") ? failure.values : null;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>{t("views.title")}</h1>
          <p>{t("views.intro")}</p>
        </div>
        {data.only ? (
          <div className="header-actions">
            <Link className="btn" to={viewHref(data.only, "")}>
              {t(LIST_LABEL[data.only])}
            </Link>
          </div>
        ) : null}
      </div>
      {data.done ? (
        <p className="success-box" role="status">
          {t(DONE_TEXT[data.done.kind], { name: data.done.name })}
        </p>
      ) : null}
      {data.confirm && "missing" in data.confirm ? (
        <p className="error-box" role="alert">
          {t("views.error.not_found")}
        </p>
      ) : null}
      {data.confirm && !("missing" in data.confirm) ? (
        <Card headingId="views-confirm-h" title={t("views.confirmDelete.title", { name: data.confirm.name })} className="section confirm-delete" data-testid="confirm-delete">
          <p>
            {data.confirm.shared
              ? data.confirm.others > 0
                ? t("views.confirmDelete.shared", { count: data.confirm.others, list: t(LIST_LABEL[data.confirm.list]) })
                : t("views.confirmDelete.sharedNobody", { list: t(LIST_LABEL[data.confirm.list]) })
              : t("views.confirmDelete.private")}
            {data.confirm.shared && !data.confirm.mine && data.confirm.ownerName ? <> {t("views.confirmDelete.savedBy", { owner: data.confirm.ownerName })}</> : null}{" "}
            {t("views.confirmDelete.filtersStay")}
          </p>
          <IntentForm intent="delete" className="inline-actions">
            <input type="hidden" name="id" value={data.confirm.id} />
            <input type="hidden" name="confirmed" value="1" />
            {data.only ? <input type="hidden" name="only" value={data.only} /> : null}
            <button type="submit" className="btn btn-danger">
              {t("views.confirmDelete.confirm")}
            </button>
            <Link to={keep} className="btn">
              {t("views.confirmDelete.keep")}
            </Link>
          </IntentForm>
        </Card>
      ) : null}
      {error && !retry ? (
        <p className="error-box" role="alert">
          {error}
        </p>
      ) : null}
      {retry ? (
        <Card headingId="views-retry-h" title={t("views.saveCurrent")} className="section">
          <IntentForm intent="save" className="views-save">
            <input type="hidden" name="list" value={retry.list} />
            <input type="hidden" name="query" value={retry.query} />
            <label htmlFor="views-retry-name">{t("views.name")}</label>
            <input id="views-retry-name" name="name" required maxLength={VIEW_NAME_MAX} defaultValue={retry.name} aria-invalid="true" aria-describedby="views-retry-error" autoComplete="off" />
            <p className="field-error" id="views-retry-error" role="alert">
              {error}
            </p>
            {data.canShare ? (
              <label className="check">
                <input type="checkbox" name="shared" value="1" defaultChecked={retry.shared === "1"} /> {t("views.shareWithTeam")}
              </label>
            ) : null}
            <div>
              <button type="submit" className="btn btn-primary">
                {t("views.save")}
              </button>
            </div>
          </IntentForm>
        </Card>
      ) : null}
      {data.lists.map((list) => {
        const views = data.views.filter((v) => v.list === list);
        return (
          <section key={list} className="card section" aria-labelledby={`views-${list}-h`}>
            <h2 id={`views-${list}-h`}>
              <Link to={viewHref(list, "")}>{t(LIST_LABEL[list])}</Link>
            </h2>
            {views.length === 0 ? (
              <p className="muted">{t("views.noneHere")}</p>
            ) : (
              <ul className="saved-views">
                {views.map((v) => (
                  <li key={v.id} data-testid={`view-${v.id}`}>
                    <div className="saved-view-main">
                      <Link to={v.href} aria-label={t("views.apply", { name: v.name })}>
                        {v.name}
                      </Link>{" "}
                      <span className="badge">{v.shared ? (v.mine ? t("views.shared") : t("views.sharedBy", { name: v.ownerName ?? "" })) : t("views.private")}</span>
                      {v.query ? (
                        <dl className="view-filters" aria-label={t("views.filtersOf", { name: v.name })}>
                          {describeViewQuery(v.list, v.query, t, fmt, data.names).map((p) => (
                            <div key={p.key}>
                              <dt>{p.label}</dt>
                              <dd>{p.value}</dd>
                            </div>
                          ))}
                        </dl>
                      ) : (
                        <p>{t("views.noFilters")}</p>
                      )}
                      {failure && !failure.ok && failure.id === v.id && error ? (
                        <p className="field-error" role="alert" id={`view-${v.id}-error`}>
                          {error}
                        </p>
                      ) : null}
                    </div>
                    <div className="saved-view-actions">
                      {v.canRename ? (
                        <IntentForm intent="rename">
                          <input type="hidden" name="id" value={v.id} />
                          {data.only ? <input type="hidden" name="only" value={data.only} /> : null}
                          <label className="visually-hidden" htmlFor={`view-${v.id}-name`}>
                            {t("views.renameLabel", { name: v.name })}
                          </label>
                          <input id={`view-${v.id}-name`} name="name" required maxLength={VIEW_NAME_MAX} defaultValue={v.name} autoComplete="off" />
                          <button type="submit" className="btn">
                            {t("views.rename")}
                          </button>
                        </IntentForm>
                      ) : null}
                      {v.canShare ? (
                        <Form method="post">
                          <CsrfInput />
                          <input type="hidden" name="intent" value={v.shared ? "unshare" : "share"} />
                          <input type="hidden" name="id" value={v.id} />
                          {data.only ? <input type="hidden" name="only" value={data.only} /> : null}
                          <button type="submit" className="btn" aria-pressed={v.shared}>
                            {v.shared ? t("views.unshare") : t("views.share")}
                          </button>
                        </Form>
                      ) : null}
                      {v.canDelete ? (
                        <Link to={`/views?${new URLSearchParams({ confirm: v.id, ...(data.only ? { list: data.only } : {}) })}`} className="btn btn-danger" aria-label={t("views.deleteLabel", { name: v.name })}>
                          {t("views.delete")}
                        </Link>
                      ) : null}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
      {data.lists.length === 0 ? <p className="muted">{t("views.none")}</p> : null}
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
