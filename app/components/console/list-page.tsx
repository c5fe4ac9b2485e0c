/**
 * What the list pages (payments, refunds, payouts) share around their own filters and
 * columns: the header with its export link and saved views, the chips of the filters in
 * force, the one message for a stale page link or a hand-edited URL, and the empty state.
 * `ListPage` puts them together; a page gives its menus, columns and totals.
 */
import { Link, useLocation } from "@remix-run/react";
import { createContext, Fragment, useContext, type ReactNode } from "react";
import { DataTable, type DataTableProps } from "~/components/console/data-table";
import { ActiveFilters, AmountFields, CheckboxMenu, DateRangeFields, FilterForm, PageSizeField, rangeLabel, SearchField, vocabOptions, type FieldErrors } from "~/components/console/filters";
import { withParams, workbookHref } from "~/components/console/url";
import { clauseSeparator, listFieldError } from "~/lib/i18n/messages";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { ViewsMenu, type ViewsMenuData } from "~/components/console/views-menu";

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
/** One of a page's own multi-value filters, as its chips name it. */
export interface MultiFilter {
  name: string;
  values: readonly string[];
  label: (value: string) => string;
}

export function useFilterChips(query: BaseListQuery, multi: MultiFilter[]): Chip[] {
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

/** The console's paged lists: each names its texts `<list>.title`, `.filtersLabel`, `.search`, `.searchHint`, `.caption`, `.empty`, `.emptyFiltered`. */
export type ListName = "payments" | "refunds" | "payouts";

/** The query every list page reads: the base filters, the statuses, the sort and the page size. */
export interface ListPageQuery extends BaseListQuery {
  status: readonly string[];
  sort: string;
  limit: number;
}

/** The query a list's filter form was drawn from, for its menus (`ListMenu`). */
const ListQueryContext = createContext<{ query: ListPageQuery; errors: FieldErrors } | null>(null);

/**
 * One of a list's own multi-value filters: what is ticked and what was refused come from the
 * list's query under the menu's name.
 */
export function ListMenu({ name, legend, options }: { name: string; legend: string; options: { value: string; label: string }[] }) {
  const page = useContext(ListQueryContext);
  if (!page) throw new Error("ListMenu is drawn inside ListFilters");
  const selected = (page.query as unknown as Record<string, unknown>)[name];
  return <CheckboxMenu name={name} legend={legend} options={options} selected={Array.isArray(selected) ? selected : []} error={page.errors[name]} />;
}

/**
 * A list's filter form: search, dates, the page's own menus (children), amounts and page
 * size; it opens by itself on a phone when a field was refused.
 */
export function ListFilters(props: {
  list: ListName;
  /** The loader's answer: the query as read and the fields it refused. */
  page: { query: ListPageQuery; errors: FieldErrors };
  chips: Chip[];
  /** The search hint, when it is not `<list>.searchHint`. */
  searchHint?: string;
  /** The date range's legend, when the dates are not the rows' creation. */
  dateLegend?: string;
  /** Kept across a new filter besides the sort. */
  preserve?: Record<string, string | readonly string[] | undefined>;
  children: ReactNode;
}) {
  const t = useT();
  const fmt = useFormat();
  const { pathname } = useLocation();
  const { list } = props;
  const { query, errors } = props.page;
  return (
    <FilterForm
      label={t(`${list}.filtersLabel` as MessageKey)}
      active={props.chips.length}
      open={Object.keys(errors).length > 0}
      preserve={{ sort: query.sort, ...props.preserve }}
      clearHref={pathname}
    >
      <SearchField value={query.q} label={t(`${list}.search` as MessageKey)} hint={props.searchHint ?? t(`${list}.searchHint` as MessageKey)} error={errors.q} />
      <DateRangeFields range={query.range} from={query.from} to={query.to} errors={errors} legend={props.dateLegend} />
      <div className="filter-menus">
        <ListQueryContext.Provider value={props.page}>{props.children}</ListQueryContext.Provider>
      </div>
      <AmountFields min={query.min} max={query.max} currency={fmt.currency} errors={errors} />
      <PageSizeField value={query.limit} />
    </FilterForm>
  );
}

/**
 * Everything below a list's filter form: the chips in force, the one message for a stale
 * link or a hand-edited URL (`errorFields`), the totals line (its clauses, each isolated and
 * separated as the reader's language separates clauses; or `totalsText` as it is) and the
 * table with its empty state.
 */
export function ListResults<Row extends { id: string }>(
  props: Pick<DataTableProps<Row>, "columns" | "visibility"> & {
    list: ListName;
    /** The loader's answer (web/list-page.server.ts): the query, the refused fields, one page of rows and its links. */
    page: { query: { sort: string }; errors: FieldErrors; rows: Row[]; next: string | null; prev: string | null };
    chips: Chip[];
    /** The query fields a stale link or a hand-edited URL may have wrong (default cursor, sort, limit). */
    errorFields?: readonly string[];
    totals: readonly (string | null)[] | null;
    totalsText?: string;
    /** The caption, when it is not `<list>.caption`. */
    caption?: string;
    /** What the empty page offers besides `<list>.empty`. */
    emptyAction?: ReactNode;
  },
) {
  const t = useT();
  const { list, page, chips, totals } = props;
  const { query, errors } = page;
  return (
    <>
      <ActiveFilters chips={chips} />
      <ListQueryError errors={errors} fields={props.errorFields ?? ["cursor", "sort", "limit"]} />
      {totals ? (
        <p className="list-totals" aria-live="polite" data-testid={`${list}-totals`}>
          {props.totalsText ??
            totals
              .filter((c): c is string => c !== null)
              .map((c, i) => (
                <Fragment key={i}>
                  {i > 0 ? clauseSeparator(t) : null}
                  <bdi>{c}</bdi>
                </Fragment>
              ))}
        </p>
      ) : null}
      <DataTable
        data={page.rows}
        columns={props.columns}
        getRowId={(r) => r.id}
        sort={query.sort}
        visibility={props.visibility}
        caption={props.caption ?? t(`${list}.caption` as MessageKey)}
        next={page.next}
        prev={page.prev}
        empty={
          <ListEmpty filtered={chips.length > 0} filteredText={t(`${list}.emptyFiltered` as MessageKey)}>
            <p>{t(`${list}.empty` as MessageKey)}</p>
            {props.emptyAction}
          </ListEmpty>
        }
      />
    </>
  );
}

/**
 * A paged list page whole: the header (`<list>.title`, the export of the filter as
 * `<list>.exportThese`, the saved views, the page's own `actions`), what the page shows
 * above its filters, the filter form with the status menu, then the page's own menus
 * (`filters`), and the results.
 */
export function ListPage<Row extends { id: string }>({
  list,
  page,
  statuses,
  multi = [],
  actions,
  above,
  filters,
  searchHint,
  dateLegend,
  preserve,
  ...results
}: Omit<Parameters<typeof ListResults<Row>>[0], "chips" | "page"> &
  Pick<Parameters<typeof ListFilters>[0], "searchHint" | "dateLegend" | "preserve"> & {
    /** The loader's answer (web/list-page.server.ts) with the export link and the saved views. */
    page: Parameters<typeof ListResults<Row>>[0]["page"] & { query: ListPageQuery; exportHref: string | null; views: ViewsMenuData };
    /** The rows' statuses: their words' vocabulary and every status, for the first menu and the first chips. */
    statuses: { vocab: "paymentStatus" | "refundStatus" | "payoutStatus"; all: readonly string[] };
    /** The page's other multi-value filters, in the order their chips stand after the statuses'. */
    multi?: MultiFilter[];
    actions?: ReactNode;
    above?: ReactNode;
    filters?: ReactNode;
  }) {
  const t = useT();
  const status: MultiFilter = { name: "status", values: page.query.status, label: (s) => t(`${statuses.vocab}.${s}` as MessageKey) };
  const chips = useFilterChips(page.query, [status, ...multi]);
  return (
    <>
      <ListHeader title={t(`${list}.title` as MessageKey)} exportHref={page.exportHref} exportLabel={t(`${list}.exportThese` as MessageKey)}>
        <ViewsMenu list={list} data={page.views} />
        {actions}
      </ListHeader>
      {above}
      <ListFilters list={list} page={page} chips={chips} searchHint={searchHint} dateLegend={dateLegend} preserve={preserve}>
        <ListMenu name="status" legend={t("common.status")} options={vocabOptions(t, statuses.vocab, statuses.all)} />
        {filters}
      </ListFilters>
      <ListResults list={list} page={page} chips={chips} {...results} />
    </>
  );
}
