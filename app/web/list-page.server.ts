/**
 * A console list page's loader (payments, refunds, payouts): the reader may see the list,
 * its URL read as a query (a refused field is dropped and named), one page of rows when the
 * query stands, the reader's saved views of the list and, for who may export, the export of
 * the same filter. The answer: the query as read, the fields it refused, the page of rows
 * with its links, the totals of the whole filter (money as strings of minor units: JSON has
 * no bigint), and what the page adds. A refused filter is a 400 (the page names it beside
 * its field), as the edge answers other bad input; a list is never cached (it is the
 * merchant's money).
 */
import { json } from "@remix-run/node";
import type { z } from "zod";
import { can, type Permission } from "~/lib/permissions";
import type { SavedViewList } from "~/lib/saved-views";
import { listExportHref, listScope, parseListQuery, runListQuery, type ListScope } from "~/modules/reporting/list-query.server";
import { requireContext, type AppContext } from "~/web/guard.server";
import { viewsMenu } from "~/web/views.server";

interface ListAnswer<R> {
  page: { rows: R[]; next: string | null; prev: string | null };
  totals: object;
}

type Sent<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };

function sendTotals<T extends object>(totals: T): Sent<T> {
  return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])) as Sent<T>;
}

export async function loadListPage<S extends z.ZodTypeAny, L extends ListAnswer<unknown>, X>(
  request: Request,
  spec: {
    /** The list's name: its saved views and its report. */
    list: SavedViewList;
    permission: Permission;
    schema: S;
    run: (scope: ListScope, query: z.output<S>, ctx: AppContext) => Promise<L>;
    /** What the page shows besides the rows (balances, the menus' choices), read alongside them. */
    also: (scope: ListScope) => Promise<X>;
    /** The parameters that belong to the page alone, left out of the export. */
    pageOnly?: readonly string[];
  },
) {
  const ctx = await requireContext(request, spec.permission);
  const url = new URL(request.url);
  const scope = listScope(ctx);
  const { query, errors } = parseListQuery(spec.schema, url.searchParams);
  const [list, also, views] = await Promise.all([runListQuery(errors, () => spec.run(scope, query, ctx)), spec.also(scope), viewsMenu(ctx, spec.list)]);
  const exportHref = can(ctx.role, "reports:export") ? listExportHref(url, spec.list, spec.pageOnly) : null;
  type Row = L["page"]["rows"][number];
  return {
    ctx,
    query: query as z.output<S>,
    also,
    /** The page's answer: each row as the reader may see it, and what the page adds. */
    answer<Out, E extends object>(rowOut: (row: Row) => Out, extra: E) {
      return json(
        { query: query as z.output<S>, errors, rows: (list?.page.rows ?? []).map((r) => rowOut(r as Row)), next: list?.page.next ?? null, prev: list?.page.prev ?? null, totals: list ? sendTotals(list.totals as L["totals"]) : null, views, exportHref, ...extra },
        { status: list && Object.keys(errors).length === 0 ? 200 : 400, headers: { "Cache-Control": "private, no-store" } },
      );
    },
  };
}
