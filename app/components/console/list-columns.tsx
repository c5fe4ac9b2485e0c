/**
 * The columns the money lists (payments, refunds, payouts) draw alike: the row's link to its
 * page, the amount (sortable, first on a phone), the status badge with what explains it, and
 * the id. A page gives its own header texts and what each cell says.
 */
import { Link } from "@remix-run/react";
import type { ColumnDef } from "@tanstack/react-table";
import type { ReactNode } from "react";
import { CellText } from "~/components/console/data-table";
import { StatusBadge } from "~/components/console/status-badge";

type Col<Row> = ColumnDef<Row, unknown>;

/** The row's key column (its date), sortable, linking to the row's own page. */
export function linkColumn<Row extends { id: string }>(c: { id: string; header: string; href: (row: Row) => string; text: (row: Row) => ReactNode }): Col<Row> {
  return {
    id: c.id,
    header: c.header,
    meta: { sortField: c.id, stack: "sub" },
    cell: ({ row }) => (
      <Link to={c.href(row.original)} className="row-link">
        {c.text(row.original)}
      </Link>
    ),
  };
}

/** The amount: sortable, right-aligned, and the lead of a row stacked on a phone. */
export function amountColumn<Row>(header: string, cell: (row: Row) => ReactNode): Col<Row> {
  return { id: "amount", header, meta: { sortField: "amount", numeric: true, stack: "lead" }, cell: ({ row }) => cell(row.original) };
}

/** The status badge, with what explains it under it (a failure, a refund). */
export function statusColumn<Row extends { status: string }>(header: string, kind: Parameters<typeof StatusBadge>[0]["kind"], under: (row: Row) => ReactNode): Col<Row> {
  return {
    id: "status",
    header,
    meta: { stack: "badge" },
    cell: ({ row }) => (
      <>
        <StatusBadge kind={kind} status={row.original.status} />
        {under(row.original)}
      </>
    ),
  };
}

/** The row's id, in full on hover. */
export function idColumn<Row extends { id: string }>(header: string): Col<Row> {
  return { id: "id", header, meta: { flex: true }, cell: ({ row }) => <CellText className="mono">{row.original.id}</CellText> };
}
