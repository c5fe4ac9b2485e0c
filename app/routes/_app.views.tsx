/**
 * Saved views: every view the reader may use (their own and the team's shared ones), grouped
 * by list, each opening its list; the reader renames their own, and roles that may share
 * share, unshare and delete them. The lists' Views menus post "save" here. Plain forms: it
 * all works without scripts.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { memberActor } from "~/lib/vocabulary";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, FieldError, IntentForm, useFormFailure } from "~/components/form";
import { describeViewQuery } from "~/components/console/view-filters";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import { isSavedViewList, VIEW_NAME_MAX, VIEW_QUERY_MAX, viewHref, type SavedViewList } from "~/lib/saved-views";
import consoleStyles from "~/styles/console.css";
import { parseForm, refuse } from "~/web/form.server";
import { requireAction, requireContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { clientOf } from "~/web/request.server";
import { viewFilterNames } from "~/web/views.server";
import { deleteView, listViews, renameView, saveView, setViewShared, viewDeletionImpact, viewListsFor, type ViewResult } from "~/modules/views/saved-views.server";
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
  const views = await listViews(ctx.scope, memberActor(ctx), lists);
  const done = url.searchParams.get("done");
  // Deleting asks first (a page of its own, so it works without scripts), saying whom it affects.
  const confirmId = url.searchParams.get("confirm");
  const impact = confirmId ? await viewDeletionImpact(ctx.scope, memberActor(ctx), confirmId) : null;
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

// Bounds only, with catalog keys as messages; the domain (modules/views) checks the rest and names the field.
const viewId = z.string().max(100, "views.error.not_found").default("");
const viewName = z.string().max(1000, "views.error.name_too_long").default("");
const only = z.string().max(40).optional();
const viewsForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("save"),
    list: z.string().max(40, "views.error.list_unknown").default(""),
    name: viewName,
    query: z.string().max(VIEW_QUERY_MAX * 2, "views.error.query_too_long").default(""),
    shared: z.string().max(5).optional(),
  }),
  z.object({ intent: z.literal("rename"), id: viewId, name: viewName, only }),
  z.object({ intent: z.literal("share"), id: viewId, only }),
  z.object({ intent: z.literal("unshare"), id: viewId, only }),
  z.object({ intent: z.literal("delete"), id: viewId, confirmed: z.string().max(5).optional(), only }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, null);
  const actor = memberActor(ctx, clientOf(request));
  const t = serverTranslator(resolvePreferences(ctx));
  const intent = String(form.get("intent") ?? "") || undefined;
  const parsed = parseForm(viewsForm, form, t, "staff.error.checkForm", { max: VIEW_NAME_MAX });
  if (!parsed.ok) return refuse(parsed.errors, { intent, values: form });
  const input = parsed.data;
  const back = (done: Done | null, params: Record<string, string>) => {
    const q = new URLSearchParams(done ? { done, ...params } : params);
    if (input.intent !== "save" && input.only && isSavedViewList(input.only)) q.set("list", input.only);
    return redirect(`/views?${q}`, 303);
  };
  let r: ViewResult;
  let done: Done;
  switch (input.intent) {
    case "save":
      r = await saveView(ctx.scope, actor, { list: input.list, name: input.name, query: input.query, shared: input.shared === "1" });
      if (r.ok) return redirect(r.view.href, 303);
      done = "saved";
      break;
    case "rename":
      r = await renameView(ctx.scope, actor, input.id, input.name);
      done = "renamed";
      break;
    case "share":
    case "unshare":
      r = await setViewShared(ctx.scope, actor, input.id, input.intent === "share");
      done = input.intent === "share" ? "nowShared" : "nowPrivate";
      break;
    case "delete":
      // Only the confirmation's own button deletes; any other Delete opens the confirmation.
      if (input.confirmed !== "1") return back(null, { confirm: input.id });
      r = await deleteView(ctx.scope, actor, input.id);
      done = "deleted";
      break;
  }
  if (r.ok) return back(done, { name: r.view.name });
  return refuse({ [r.field]: t(`views.error.${r.code}` as MessageKey, { max: VIEW_NAME_MAX }) }, { intent, status: r.status, values: form });
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
  const form = useFormFailure();
  const t = useT();
  const fmt = useFormat();
  const keep = data.only ? `/views?list=${data.only}` : "/views";
  // A failed save from a list's menu: the form again here, with the name to fix.
  const retry = form.failure?.intent === "save" && isSavedViewList(form.values.list ?? "") ? form : null;
  // A row's refusal (rename, share, delete): said in that view's row.
  const rowFailure = (id: string) => (form.failure && form.failure.intent !== "save" && form.values.id === id ? form : undefined);
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
      {data.confirm && "missing" in data.confirm ? <ErrorSummary errors={{ form: t("views.error.not_found") }} id="views-confirm-error" /> : null}
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
      {/* A refusal no form on this page shows (an unknown list to save, a view gone). */}
      {!retry && !(form.values.id && data.views.some((v) => v.id === form.values.id)) ? <ErrorSummary form={form} fields={["name", "list", "query", "shared", "view"]} /> : null}
      {retry ? (
        <Card headingId="views-retry-h" title={t("views.saveCurrent")} className="section">
          <IntentForm intent="save" className="views-save">
            <input type="hidden" name="list" value={retry.values.list} />
            <input type="hidden" name="query" value={retry.values.query ?? ""} />
            <ErrorSummary form={retry} fields={["list", "query", "shared", "view"]} />
            <Field form={retry} id="views-retry-name" name="name" label={t("views.name")} required maxLength={VIEW_NAME_MAX} autoComplete="off" />
            {data.canShare ? (
              <label className="check">
                <input type="checkbox" name="shared" value="1" defaultChecked={retry.values.shared === "1"} /> {t("views.shareWithTeam")}
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
                      <FieldError id={`view-${v.id}-error`} message={rowFailure(v.id)?.errors.view ?? rowFailure(v.id)?.errors.form} />
                    </div>
                    <div className="saved-view-actions">
                      {v.canRename ? (
                        <IntentForm intent="rename">
                          <input type="hidden" name="id" value={v.id} />
                          {data.only ? <input type="hidden" name="only" value={data.only} /> : null}
                          <Field
                            form={rowFailure(v.id)}
                            id={`view-${v.id}-name`}
                            name="name"
                            label={<span className="visually-hidden">{t("views.renameLabel", { name: v.name })}</span>}
                            required
                            maxLength={VIEW_NAME_MAX}
                            defaultValue={v.name}
                            autoComplete="off"
                          />
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
