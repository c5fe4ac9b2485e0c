/**
 * Numbered pages for the small console lists (customers, subscriptions): `?page=N`, N from 1,
 * Persian or Arabic-Indic digits read as well; anything else is the first page. A loader asks
 * for `limit` = PAGE_SIZE + 1 rows at `offset` and shows the first PAGE_SIZE: the extra row
 * only says there is a next page.
 */
import { toLatinDigits } from "~/lib/digits";

export const PAGE_SIZE = 50;
const MAX_PAGE = 20_000;

export function pageFrom(params: URLSearchParams): { page: number; limit: number; offset: number } {
  const n = Number(toLatinDigits(params.get("page") ?? "1"));
  const page = Number.isInteger(n) && n >= 1 && n <= MAX_PAGE ? n : 1;
  return { page, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE };
}

/** The rows to show and whether a next page exists, from the PAGE_SIZE + 1 fetched. */
export function pageRows<T>(rows: T[]): { rows: T[]; hasNext: boolean } {
  return { rows: rows.slice(0, PAGE_SIZE), hasNext: rows.length > PAGE_SIZE };
}

/** The list's URL for page n, keeping its other parameters. */
export function pageHref(path: string, params: Record<string, string | null | undefined>, n: number): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  if (n > 1) p.set("page", String(n));
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}
