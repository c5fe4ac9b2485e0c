/**
 * The lists a saved view can be kept for: where each lives and who may open it. A view is
 * the list's query string (its filters, sort, page size and columns) without the paging
 * cursor, so applying one is opening `${path}?${query}`.
 */
import type { Permission } from "~/lib/permissions";

export const SAVED_VIEW_LISTS = {
  payments: { path: "/payments", permission: "payments:view" },
  refunds: { path: "/refunds", permission: "payments:view" },
  payouts: { path: "/payouts", permission: "payouts:view" },
  audit: { path: "/audit", permission: "audit:view" },
} as const satisfies Record<string, { path: string; permission: Permission }>;

export type SavedViewList = keyof typeof SAVED_VIEW_LISTS;
export const VIEW_NAME_MAX = 60;
export const VIEW_QUERY_MAX = 2000;

export function isSavedViewList(v: string): v is SavedViewList {
  return Object.hasOwn(SAVED_VIEW_LISTS, v);
}

/** Paging is not part of a view: the cursor (and an empty value) is dropped, the rest keeps its order. */
export function viewQueryOf(search: string): string {
  const params = new URLSearchParams(search);
  const kept = new URLSearchParams();
  for (const [k, v] of params) {
    if (k === "cursor" || k === "before" || v === "") continue;
    kept.append(k, v);
  }
  return kept.toString();
}

export function viewHref(list: SavedViewList, query: string): string {
  return query ? `${SAVED_VIEW_LISTS[list].path}?${query}` : SAVED_VIEW_LISTS[list].path;
}
