import type { SavedViewList } from "~/lib/saved-views";
import { can } from "~/lib/permissions";
import type { AppContext } from "~/modules/access/context";
import { memberActor } from "~/lib/vocabulary";
import { listViews } from "~/modules/views/saved-views.server";
import { paymentFilterOptions } from "~/modules/payments/list.server";
import { refundIssuers } from "~/modules/refunds/list.server";
import { listScope } from "~/modules/reporting/list-query.server";

/** What a list's Views menu shows (app/components/console/views-menu.tsx). */
export async function viewsMenu(ctx: AppContext, list: SavedViewList) {
  const views = await listViews(ctx.scope, memberActor(ctx), [list]);
  return {
    views: views.map((v) => ({ id: v.id, name: v.name, href: v.href, query: v.query, shared: v.shared, mine: v.mine, ownerName: v.ownerName })),
    canShare: can(ctx.role, "views:share"),
  };
}

/**
 * The names a saved view's filters refer to by id (terminals, the people who issued
 * refunds), for /views to show them as the lists do; looked up only when a view uses them.
 */
export async function viewFilterNames(ctx: AppContext, views: readonly { list: SavedViewList; query: string }[]) {
  const uses = (list: SavedViewList, key: string) => views.some((v) => v.list === list && new URLSearchParams(v.query).has(key));
  const scope = listScope(ctx);
  const [terminals, people] = await Promise.all([
    uses("payments", "terminal") ? paymentFilterOptions(scope).then((o) => o.terminals) : [],
    uses("refunds", "by") ? refundIssuers(scope) : [],
  ]);
  return {
    terminals: Object.fromEntries(terminals.map((x) => [x.id, x.name])),
    people: Object.fromEntries(people.map((x) => [x.id, x.name])),
  };
}
