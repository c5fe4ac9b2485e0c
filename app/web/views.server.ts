import type { SavedViewList } from "~/lib/saved-views";
import { can } from "~/lib/permissions";
import type { AppContext } from "~/modules/access/context";
import { listViews } from "~/modules/views/saved-views.server";

/** What a list's Views menu shows (app/components/console/views-menu.tsx). */
export async function viewsMenu(ctx: AppContext, list: SavedViewList) {
  const views = await listViews(ctx, [list]);
  return {
    views: views.map((v) => ({ id: v.id, name: v.name, href: v.href, query: v.query, shared: v.shared, mine: v.mine, ownerName: v.ownerName })),
    canShare: can(ctx.role, "views:share"),
  };
}
