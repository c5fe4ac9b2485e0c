/**
 * Global search: GET /search?q=… answers with the hits grouped by kind. The page works
 * without scripts (a form and a list of links); the search dialog of the shell (`/` or
 * Ctrl/⌘-K, app/components/search-dialog.tsx) fetches the same loader as you type.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { memberActor } from "~/lib/vocabulary";
import { json } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { pageTitle } from "~/components/console/meta";
import { SearchResults, useSearchHint } from "~/components/search-dialog";
import { RouteErrorBoundary } from "~/components/route-error";
import { useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import type { LinksFunction } from "@remix-run/node";
import { requireContext } from "~/web/guard.server";
import { listScope } from "~/modules/reporting/list-query.server";
import { globalSearch } from "~/modules/search/search.server";
import { PageHeader } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "search.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const q = (new URL(request.url).searchParams.get("q") ?? "").slice(0, 200);
  const result = await globalSearch(listScope(ctx), q, {
    payments: can(ctx.role, "payments:view"),
    cards: can(ctx.role, "cards:view"),
    payouts: can(ctx.role, "payouts:view"),
    terminals: can(ctx.role, "terminals:manage"),
    staff: can(ctx.role, "staff:manage"),
    links: can(ctx.role, "links:manage"),
    customers: can(ctx.role, "subscriptions:view"),
    views: memberActor(ctx),
  });
  return json(
    {
      q,
      understood: { day: result.query.day, amounts: result.query.amounts.map(String), last4: result.query.last4, ids: result.query.ids },
      groups: result.groups,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export type SearchData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function SearchPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const hint = useSearchHint();
  return (
    <>
      <PageHeader title={t("search.title")} intro={hint} />
      <Form method="get" role="search" className="card search-page-form" aria-label={t("search.title")}>
        <label htmlFor="search-page-q">{t("search.label")}</label>
        <div className="form-row">
          <input id="search-page-q" type="search" name="q" defaultValue={data.q} autoComplete="off" />
          <button type="submit" className="btn btn-primary">
            {t("search.submit")}
          </button>
        </div>
      </Form>
      {data.q ? <SearchResults data={data} /> : null}
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
