/**
 * Saved views: a member keeps a list's filters and columns under a name, for themselves or
 * (with views:share) for the whole team. Only the member who saved a view renames it; a
 * shared view may also be unshared or deleted by anyone who may share. Every change to what
 * the team sees (sharing, unsharing, renaming or deleting a shared view) is audited, and so is
 * every refusal to share.
 */
import { and, eq, sql } from "drizzle-orm";
import { db, rows, type DbOrTx } from "~db/client.server";
import { savedViews } from "~db/schema";
import { newId } from "~/lib/ids";
import { can, ROLES } from "~/lib/permissions";
import { isSavedViewList, SAVED_VIEW_LISTS, VIEW_NAME_MAX, VIEW_QUERY_MAX, viewHref, viewQueryOf, type SavedViewList } from "~/lib/saved-views";
import type { MemberActor, Role, Scope } from "~/lib/vocabulary";
import { audit } from "~/modules/audit/audit.server";

export interface SavedView {
  id: string;
  list: SavedViewList;
  name: string;
  query: string;
  href: string;
  shared: boolean;
  ownerUserId: string;
  ownerName: string | null;
  mine: boolean;
  /** What the reader may do with it. */
  canRename: boolean;
  canDelete: boolean;
  canShare: boolean;
  updatedAt: Date;
}

export type ViewErrorCode = "list_unknown" | "name_required" | "name_too_long" | "name_taken" | "query_too_long" | "share_forbidden" | "not_found" | "not_yours";

export type ViewResult = { ok: true; view: SavedView } | { ok: false; status: 400 | 403 | 404 | 409; field: "name" | "list" | "query" | "shared" | "view"; code: ViewErrorCode };


/** The lists this member may open: views of the others are neither shown nor searched. */
export function viewListsFor(role: Role): SavedViewList[] {
  return (Object.keys(SAVED_VIEW_LISTS) as SavedViewList[]).filter((l) => can(role, SAVED_VIEW_LISTS[l].permission));
}

interface ViewRow {
  id: string;
  list: string;
  name: string;
  query: string;
  shared: boolean;
  owner_user_id: string;
  owner_name: string | null;
  updated_at: Date | string;
}

function toView(actor: MemberActor, r: ViewRow): SavedView {
  const list = r.list as SavedViewList;
  const mine = r.owner_user_id === actor.member.user.id;
  const sharer = can(actor.member.role, "views:share");
  return {
    id: r.id,
    list,
    name: r.name,
    query: r.query,
    href: viewHref(list, r.query),
    shared: r.shared,
    ownerUserId: r.owner_user_id,
    ownerName: r.owner_name,
    mine,
    canRename: mine,
    canDelete: mine || (r.shared && sharer),
    canShare: sharer && (mine || r.shared),
    updatedAt: new Date(r.updated_at),
  };
}

const SELECT = sql`select v.id, v.list, v.name, v.query, v.shared, v.owner_user_id, u.name as owner_name, v.updated_at
  from saved_views v left join users u on u.id = v.owner_user_id`;

/** The reader's own views and the team's shared ones, for the given lists (all the reader may open by default): own first, then by name. */
export async function listViews(scope: Scope, actor: MemberActor, lists: readonly SavedViewList[] = viewListsFor(actor.member.role), dbx: DbOrTx = db()): Promise<SavedView[]> {
  const allowed = lists.filter((l) => viewListsFor(actor.member.role).includes(l));
  if (!allowed.length) return [];
  const r = await rows<ViewRow>(
    dbx,
    sql`${SELECT} where v.merchant_id = ${scope.merchantId}
          and v.list in (${sql.join(allowed.map((l) => sql`${l}`), sql`, `)})
          and (v.owner_user_id = ${actor.member.user.id} or v.shared)
        order by (v.owner_user_id = ${actor.member.user.id}) desc, lower(v.name), v.id`,
  );
  return r.map((x) => toView(actor, x));
}

/** Views whose name contains the text, among those the reader may see (the global search). */
export async function searchViews(scope: Scope, actor: MemberActor, text: string, limit = 6, dbx: DbOrTx = db()): Promise<SavedView[]> {
  const lists = viewListsFor(actor.member.role);
  const needle = text.trim();
  if (!lists.length || needle.length < 2) return [];
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const r = await rows<ViewRow>(
    dbx,
    sql`${SELECT} where v.merchant_id = ${scope.merchantId}
          and v.list in (${sql.join(lists.map((l) => sql`${l}`), sql`, `)})
          and (v.owner_user_id = ${actor.member.user.id} or v.shared)
          and v.name ilike ${like}
        order by (v.owner_user_id = ${actor.member.user.id}) desc, lower(v.name), v.id limit ${limit}`,
  );
  return r.map((x) => toView(actor, x));
}

async function getView(scope: Scope, actor: MemberActor, id: string, dbx: DbOrTx): Promise<SavedView | null> {
  const [r] = await rows<ViewRow>(
    dbx,
    sql`${SELECT} where v.merchant_id = ${scope.merchantId} and v.id = ${id}
          and (v.owner_user_id = ${actor.member.user.id} or v.shared) for update of v`,
  );
  if (!r || !isSavedViewList(r.list) || !viewListsFor(actor.member.role).includes(r.list)) return null;
  return toView(actor, r);
}

function checkName(raw: string): { ok: true; name: string } | { ok: false; code: ViewErrorCode } {
  const name = raw.replace(/\s+/g, " ").trim();
  if (!name) return { ok: false, code: "name_required" };
  if ([...name].length > VIEW_NAME_MAX) return { ok: false, code: "name_too_long" };
  return { ok: true, name };
}

async function nameTaken(dbx: DbOrTx, scope: Scope, actor: MemberActor, list: string, name: string, except?: string): Promise<boolean> {
  const [r] = await rows<{ n: number }>(
    dbx,
    sql`select 1 as n from saved_views where merchant_id = ${scope.merchantId} and owner_user_id = ${actor.member.user.id}
          and list = ${list} and lower(name) = lower(${name}) ${except ? sql`and id <> ${except}` : sql``} limit 1`,
  );
  return !!r;
}

const fail = (status: 400 | 403 | 404 | 409, field: "name" | "list" | "query" | "shared" | "view", code: ViewErrorCode): ViewResult => ({ ok: false, status, field, code });

/**
 * Saves the list's current filters and columns under a name. Saving again under a name the
 * member already uses on that list replaces that view's filters (and sharing), as "save" does
 * in a spreadsheet, rather than failing.
 */
export async function saveView(scope: Scope, actor: MemberActor, input: { list: string; name: string; query: string; shared: boolean }, now = new Date()): Promise<ViewResult> {
  if (!isSavedViewList(input.list) || !viewListsFor(actor.member.role).includes(input.list)) return fail(400, "list", "list_unknown");
  const list = input.list;
  const n = checkName(input.name);
  if (!n.ok) return fail(400, "name", n.code);
  const query = viewQueryOf(input.query.replace(/^\?/, ""));
  if (query.length > VIEW_QUERY_MAX) return fail(400, "query", "query_too_long");
  if (input.shared && !can(actor.member.role, "views:share")) {
    await audit(db(), { actor: actor, merchantId: scope.merchantId, action: "view.share", outcome: "denied", targetType: "saved_view", details: { list, name: n.name } });
    return fail(403, "shared", "share_forbidden");
  }
  return db().transaction(async (tx) => {
    const [existing] = await rows<{ id: string; shared: boolean }>(
      tx,
      sql`select id, shared from saved_views where merchant_id = ${scope.merchantId} and owner_user_id = ${actor.member.user.id}
            and list = ${list} and lower(name) = lower(${n.name}) for update`,
    );
    let id: string;
    if (existing) {
      id = existing.id;
      await tx
        .update(savedViews)
        .set({ name: n.name, query, shared: input.shared, updatedAt: now })
        .where(and(eq(savedViews.merchantId, scope.merchantId), eq(savedViews.id, id)));
    } else {
      id = newId("view", now);
      await tx.insert(savedViews).values({ merchantId: scope.merchantId, id, ownerUserId: actor.member.user.id, list, name: n.name, query, shared: input.shared, createdAt: now, updatedAt: now });
    }
    if (input.shared || existing?.shared) {
      await audit(tx, {
        actor: actor,
        merchantId: scope.merchantId,
        action: input.shared ? (existing?.shared ? "view.update" : "view.share") : "view.unshare",
        outcome: "success",
        targetType: "saved_view",
        targetId: id,
        details: { list, name: n.name, query },
      });
    }
    const view = await getView(scope, actor, id, tx);
    return view ? { ok: true as const, view } : fail(404, "view", "not_found");
  });
}

export async function renameView(scope: Scope, actor: MemberActor, id: string, rawName: string, now = new Date()): Promise<ViewResult> {
  const n = checkName(rawName);
  if (!n.ok) return fail(400, "name", n.code);
  return db().transaction(async (tx) => {
    const view = await getView(scope, actor, id, tx);
    if (!view) return fail(404, "view", "not_found");
    if (!view.canRename) return fail(403, "view", "not_yours");
    if (await nameTaken(tx, scope, actor, view.list, n.name, id)) return fail(409, "name", "name_taken");
    await tx.update(savedViews).set({ name: n.name, updatedAt: now }).where(and(eq(savedViews.merchantId, scope.merchantId), eq(savedViews.id, id)));
    if (view.shared) {
      await audit(tx, { actor: actor, merchantId: scope.merchantId, action: "view.rename", outcome: "success", targetType: "saved_view", targetId: id, details: { list: view.list, from: view.name, to: n.name } });
    }
    return { ok: true as const, view: { ...view, name: n.name, updatedAt: now } };
  });
}

export async function setViewShared(scope: Scope, actor: MemberActor, id: string, shared: boolean, now = new Date()): Promise<ViewResult> {
  if (!can(actor.member.role, "views:share")) {
    await audit(db(), { actor: actor, merchantId: scope.merchantId, action: shared ? "view.share" : "view.unshare", outcome: "denied", targetType: "saved_view", targetId: id });
    return fail(403, "shared", "share_forbidden");
  }
  return db().transaction(async (tx) => {
    const view = await getView(scope, actor, id, tx);
    if (!view) return fail(404, "view", "not_found");
    if (!view.canShare) return fail(403, "view", "not_yours");
    if (view.shared === shared) return { ok: true as const, view };
    await tx.update(savedViews).set({ shared, updatedAt: now }).where(and(eq(savedViews.merchantId, scope.merchantId), eq(savedViews.id, id)));
    await audit(tx, { actor: actor, merchantId: scope.merchantId, action: shared ? "view.share" : "view.unshare", outcome: "success", targetType: "saved_view", targetId: id, details: { list: view.list, name: view.name, owner: view.ownerUserId } });
    return { ok: true as const, view: { ...view, shared, updatedAt: now } };
  });
}

export async function deleteView(scope: Scope, actor: MemberActor, id: string): Promise<ViewResult> {
  return db().transaction(async (tx) => {
    const view = await getView(scope, actor, id, tx);
    if (!view) return fail(404, "view", "not_found");
    if (!view.canDelete) return fail(403, "view", "not_yours");
    await tx.delete(savedViews).where(and(eq(savedViews.merchantId, scope.merchantId), eq(savedViews.id, id)));
    if (view.shared) {
      await audit(tx, { actor: actor, merchantId: scope.merchantId, action: "view.delete", outcome: "success", targetType: "saved_view", targetId: id, details: { list: view.list, name: view.name, owner: view.ownerUserId } });
    }
    return { ok: true as const, view };
  });
}

/**
 * What deleting a view would take from whom, for the confirmation before it: the view, and
 * for a shared one the other active members who may open its list (they see it in their
 * Views menu today). Null when the reader may not delete it.
 */
export async function viewDeletionImpact(scope: Scope, actor: MemberActor, id: string): Promise<{ view: SavedView; others: number } | null> {
  return db().transaction(async (tx) => {
    const view = await getView(scope, actor, id, tx);
    if (!view || !view.canDelete) return null;
    if (!view.shared) return { view, others: 0 };
    const roles = ROLES.filter((r) => can(r, SAVED_VIEW_LISTS[view.list].permission));
    const [r] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from memberships
            where merchant_id = ${scope.merchantId} and status = 'active' and user_id <> ${actor.member.user.id}
              and role::text in (${sql.join(roles.map((x) => sql`${x}`), sql`, `)})`,
    );
    return { view, others: r?.n ?? 0 };
  });
}
