/**
 * The answer of a console list page's loader (payments, refunds, payouts): the query as
 * read, the fields it refused, one page of rows with its links, and what the page adds.
 * A refused filter is a 400 (the page names it beside its field), as the edge answers
 * other bad input; a list is never cached (it is the merchant's money).
 */
import { json } from "@remix-run/node";

interface ListAnswer<R> {
  page: { rows: R[]; next: string | null; prev: string | null };
}

export function listPageJson<Q, R, Out, X extends object>(
  query: Q,
  errors: Record<string, string>,
  list: ListAnswer<R> | null,
  rowOut: (row: R) => Out,
  extra: X,
) {
  return json(
    { query, errors, rows: (list?.page.rows ?? []).map(rowOut), next: list?.page.next ?? null, prev: list?.page.prev ?? null, ...extra },
    { status: list && Object.keys(errors).length === 0 ? 200 : 400, headers: { "Cache-Control": "private, no-store" } },
  );
}
