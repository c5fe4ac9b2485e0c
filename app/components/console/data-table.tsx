/**
 * Server-driven tables on TanStack Table: the server sorts, filters and pages (keyset),
 * so the table is told its state by the URL (manual* modes) and every control is a link
 * to another URL. Works without JavaScript; back and forward replay the view.
 */
import { Link, useNavigation } from "@remix-run/react";
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowData,
  type VisibilityState,
} from "@tanstack/react-table";
import type { ReactNode } from "react";
import { useT } from "~/lib/i18n/react";
import { useListHref } from "./url";

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** The server's sort field for this column (whitelisted by the route's schema). */
    sortField?: string;
    /** Right-aligned tabular numbers. */
    numeric?: boolean;
    /** Keep visible on the narrowest screens (the row's key facts). */
    primary?: boolean;
    /**
     * Where the cell goes when a phone shows the rows stacked: "lead" (the amount, large, first),
     * "badge" (the status, beside it), "sub" (the date and the card, the line below), "extra"
     * (a further line, muted). Cells without a place are left out of the stacked row.
     */
    stack?: "lead" | "badge" | "sub" | "extra";
    /**
     * Free text (descriptions, names, ids): the column takes the width left by the others and
     * cuts its text with an ellipsis; the full value is in the cell's title (hover) and is shown
     * whole while the row has the keyboard focus.
     */
    flex?: boolean;
  }
}

export interface DataTableProps<T> {
  data: T[];
  columns: ColumnDef<T, unknown>[];
  getRowId: (row: T) => string;
  /** "field" or "-field" as in the URL. */
  sort?: string;
  /** Column id -> shown; columns not named are shown. */
  visibility?: VisibilityState;
  caption: ReactNode;
  next?: string | null;
  prev?: string | null;
  empty?: ReactNode;
  /** Extra class on the wrapper (e.g. "compact"). */
  className?: string;
}

function cellClass(meta: { numeric?: boolean; flex?: boolean } | undefined): string | undefined {
  const names = [meta?.numeric ? "num" : "", meta?.flex ? "cell-flex" : ""].filter(Boolean);
  return names.length ? names.join(" ") : undefined;
}

/** Text for a flexible cell: cut to its column's width, whole on hover (title) and while its row has focus. */
export function CellText({ children, className }: { children: string | null | undefined; className?: string }) {
  if (!children) return <span className="muted empty-value">–</span>;
  return (
    <span className={className} title={children}>
      {children}
    </span>
  );
}

export function DataTable<T>({ data, columns, getRowId, sort, visibility, caption, next, prev, empty, className }: DataTableProps<T>) {
  const t = useT();
  const href = useListHref();
  const navigation = useNavigation();
  const sorting = sort ? [{ id: sort.replace(/^-/, ""), desc: sort.startsWith("-") }] : [];
  const table = useReactTable({
    data,
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    enableSortingRemoval: false,
    state: { sorting, columnVisibility: visibility ?? {} },
  });
  const sortedField = sort?.replace(/^-/, "");
  const sortedDesc = sort?.startsWith("-") ?? false;
  const busy = navigation.state === "loading";

  return (
    <div className={`data-table stackable ${className ?? ""}`} aria-busy={busy}>
      <div className="table-wrap">
        <table className="table">
          <caption>{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((header) => {
                  const meta = header.column.columnDef.meta;
                  const field = meta?.sortField;
                  const active = !!field && field === sortedField;
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  // First click sorts largest/newest first, the usual question in a payments list.
                  const nextSort = active && sortedDesc ? field : `-${field}`;
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      className={cellClass(meta)}
                      aria-sort={active ? (sortedDesc ? "descending" : "ascending") : field ? "none" : undefined}
                    >
                      {field ? (
                        <Link
                          to={href({ sort: nextSort ?? null })}
                          className="sort-link"
                          preventScrollReset
                          aria-label={t(active && sortedDesc ? "table.sortAscending" : "table.sortDescending", { column: String(header.column.columnDef.header) })}
                        >
                          {label}
                          <span aria-hidden="true" className="sort-mark">
                            {active ? (sortedDesc ? "▼" : "▲") : "↕"}
                          </span>
                        </Link>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta;
                  return (
                    <td key={cell.id} className={cellClass(meta)} data-stack={meta?.stack}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {data.length === 0 ? <div className="empty-state">{empty ?? t("table.empty")}</div> : null}
      </div>
      {prev || next ? (
        <nav className="pagination" aria-label={t("table.pagination")}>
          {prev ? (
            <Link className="btn" to={href({ cursor: prev })} rel="prev" prefetch="intent">
              {t("table.previousPage")}
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link className="btn" to={href({ cursor: next })} rel="next" prefetch="intent">
              {t("table.nextPage")}
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </div>
  );
}
