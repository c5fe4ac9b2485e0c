import { useLocation } from "@remix-run/react";

export type ParamChanges = Record<string, string | readonly string[] | null | undefined>;

/** A query string with some keys replaced (null/undefined/"" removes them). The cursor goes unless kept. */
export function withParams(search: string, changes: ParamChanges, opts: { keepCursor?: boolean } = {}): string {
  const sp = new URLSearchParams(search);
  if (!opts.keepCursor && !("cursor" in changes)) sp.delete("cursor");
  for (const [key, value] of Object.entries(changes)) {
    sp.delete(key);
    if (value === null || value === undefined) continue;
    for (const v of typeof value === "string" ? [value] : value) if (v !== "") sp.append(key, v);
  }
  const s = sp.toString();
  return s ? `?${s}` : "?";
}

/** A report download link's Excel twin: /reports/payments.csv?… -> /reports/payments.xlsx?… (the same rows and options). */
export function workbookHref(csvHref: string): string {
  return csvHref.replace(/\.csv(\?|$)/, ".xlsx$1");
}

/** Builds links to the same list with other parameters (sort, page, a removed filter). */
export function useListHref(): (changes: ParamChanges, opts?: { keepCursor?: boolean }) => string {
  const location = useLocation();
  return (changes, opts) => `${location.pathname}${withParams(location.search, changes, opts)}`;
}
