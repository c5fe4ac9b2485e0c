/**
 * What the list pages (payments, refunds, payouts) share around their own filters and
 * columns: the header with its export link, the chips of the filters in force, the one
 * message for a stale page link or a hand-edited URL, and the empty state.
 */
import { Link, useLocation } from "@remix-run/react";
import { Fragment, type ReactNode } from "react";
import { DataTable, type DataTableProps } from "~/components/console/data-table";
import { ActiveFilters, rangeLabel, type FieldErrors } from "~/components/console/filters";
import { withParams, workbookHref } from "~/components/console/url";
import { clauseSeparator, listFieldError } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";

/** The title, the time zone every time on the page is in, the export of the filter and any other actions. */
export function ListHeader(props: { title: string; exportHref: string | null; exportLabel: string; children?: ReactNode }) {
  const t = useT();
  const fmt = useFormat();
  const actions = props.exportHref ? (
    <>
      <a className="btn" href={props.exportHref} download>
        {props.exportLabel}
      </a>
      <a className="btn" href={workbookHref(props.exportHref)} download data-testid="export-xlsx">
        {t("common.exportExcel")}
      </a>
    </>
  ) : null;
  return (
    <div className="page-header">
      <div>
        <h1>{props.title}</h1>
        <p>{t("dates.timesIn", { zone: fmt.zoneName() })}</p>
      </div>
      {actions || props.children ? (
        <div className="header-actions">
          {actions}
          {props.children}
        </div>
      ) : null}
    </div>
  );
}

/** The fields every list's URL has (`listBaseShape` on the server). */
export interface BaseListQuery {
  range: string;
  from?: string;
  to?: string;
  min?: string;
  max?: string;
  q?: string;
}

export interface Chip {
  key: string;
  label: string;
  removeHref: string;
}

/**
 * The chips of the filters in force, each with a link to the same list without it: the
 * dates, then each value of the page's own multi-value filters (in the order given), the
 * amount bounds and the search. A list is filtered exactly when it has a chip.
 */
export function useFilterChips(query: BaseListQuery, multi: { name: string; values: readonly string[]; label: (value: string) => string }[]): Chip[] {
  const t = useT();
  const fmt = useFormat();
  const { pathname, search } = useLocation();
  const remove = (key: string, value?: string) => {
    const current = new URLSearchParams(search).getAll(key);
    const rest = value === undefined ? null : current.flatMap((v) => v.split(",")).filter((v) => v !== value);
    return `${pathname}${withParams(search, { [key]: rest })}`;
  };
  const dates: Chip[] =
    query.from || query.to
      ? [
          {
            key: "dates",
            label: t("dates.rangeText", { from: query.from ? fmt.day(query.from) : "…", to: query.to ? fmt.day(query.to) : "…" }),
            removeHref: `${pathname}${withParams(search, { from: null, to: null, range: null })}`,
          },
        ]
      : query.range !== "all"
        ? [{ key: "range", label: rangeLabel(t, query.range), removeHref: remove("range") }]
        : [];
  return [
    ...dates,
    ...multi.flatMap((m) => m.values.map((v) => ({ key: `${m.name}-${v}`, label: m.label(v), removeHref: remove(m.name, v) }))),
    ...(query.min ? [{ key: "min", label: t("filters.chip.min", { amount: query.min }), removeHref: remove("min") }] : []),
    ...(query.max ? [{ key: "max", label: t("filters.chip.max", { amount: query.max }), removeHref: remove("max") }] : []),
    ...(query.q ? [{ key: "q", label: t("filters.chip.search", { q: query.q }), removeHref: remove("q") }] : []),
  ];
}

/** A stale page link or a hand-edited sort, page size (or columns): said once above the table. */
export function ListQueryError({ errors, fields }: { errors: FieldErrors; fields: readonly string[] }) {
  const t = useT();
  const fmt = useFormat();
  const field = fields.find((f) => errors[f]);
  if (!field) return null;
  return (
    <p className="error-box" role="alert">
      {listFieldError(t, fmt, field, errors[field])}
    </p>
  );
}

/** The table's empty state: with filters, a way out of them; without, the page's own note (and action). */
export function ListEmpty({ filtered, filteredText, children }: { filtered: boolean; filteredText: string; children: ReactNode }) {
  const t = useT();
  const { pathname } = useLocation();
  if (!filtered) return <>{children}</>;
  return (
    <>
      <p>{filteredText}</p>
      <Link to={pathname} className="btn">
        {t("common.clearFilters")}
      </Link>
    </>
  );
}

/** The totals line over a list: its clauses, each isolated (bidi) and separated as the reader's language separates clauses. */
export function ListTotals({ testId, clauses, plain }: { testId: string; clauses: readonly (string | null)[]; /** Said instead, as it is (totals not counted). */ plain?: string }) {
  const t = useT();
  const shown = clauses.filter((c): c is string => c !== null);
  return (
    <p className="list-totals" aria-live="polite" data-testid={testId}>
      {plain ?? shown.map((c, i) => (
        <Fragment key={i}>
          {i > 0 ? clauseSeparator(t) : null}
          <bdi>{c}</bdi>
        </Fragment>
      ))}
    </p>
  );
}

/**
 * Everything below a list's filter form: the chips in force, the one message for a stale
 * link or a hand-edited URL (`errorFields`), the totals and the table with its empty state.
 */
export function ListResults<Row>(
  props: Omit<DataTableProps<Row>, "empty"> & {
    chips: Chip[];
    errors: FieldErrors;
    errorFields: readonly string[];
    totals: ReactNode;
    /** Said when filters leave nothing (with a way out of them). */
    emptyFiltered: string;
    /** The page's own note (and action) when it has nothing at all. */
    empty: ReactNode;
  },
) {
  const { chips, errors, errorFields, totals, emptyFiltered, empty, ...table } = props;
  return (
    <>
      <ActiveFilters chips={chips} />
      <ListQueryError errors={errors} fields={errorFields} />
      {totals}
      <DataTable
        {...table}
        empty={
          <ListEmpty filtered={chips.length > 0} filteredText={emptyFiltered}>
            {empty}
          </ListEmpty>
        }
      />
    </>
  );
}
