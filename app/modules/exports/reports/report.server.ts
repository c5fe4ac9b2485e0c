/**
 * The shape every report shares, and the keyset batch reader they all use. Reports
 * read through replicaDb() (the read replica when DATABASE_REPLICA_URL is set); the
 * audit event of a download is written to the primary.
 */
import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import { replicaDb, rows, type DbOrTx } from "~db/client.server";
import { addLocalDays, localDateKey } from "~/lib/dates/zones";
import type { Permission } from "~/lib/permissions";
import type { z } from "zod";
import {
  keysetPage,
  listBaseShape,
  resolveListRange,
  sortOf,
  strictListQuery,
  type KeysetSort,
  type ListRange,
  type ListRangeBounds,
  type ListScope,
  type SortColumns,
} from "~/modules/reporting/list-query.server";
import { rawValueSql, type CellValue, type ColumnSpec, type ComputedColumn, type RawRow, type ReportId, type SqlColumn } from "../definition";
import type { Scope } from "~/lib/vocabulary";

export { ListFilterError } from "~/modules/reporting/list-query.server";

/** The merchant being exported and the time zone the report is written in. */
export interface ExportScope extends Scope {
  merchantName: string;
  currency: string;
  /** The report's time zone (the merchant's unless the person chose another). */
  timeZone: string;
}

/** The period a file covers: [from, to) as instants; null ends are open. */
export interface ReportPeriod {
  from: Date | null;
  to: Date | null;
}

export interface ReportRun {
  /** What the file name says about the rows' scope: "from-2025-01-01_before-2025-02-01", "payout-po_…", "all-time". */
  rangeLabel: string;
  /** The same for people: "1 Jan 2025 (included) to 1 Feb 2025 (not included)". */
  rangeText: string;
  /** The filter as parsed, for the audit trail. */
  filters: Record<string, unknown>;
  count(): Promise<number>;
  /** The chosen columns' raw values, row by row in the order they are written, in keyset batches. */
  batches(columns: readonly ColumnSpec<never>[], batchSize: number): AsyncGenerator<RawRow[], void, undefined>;
  /**
   * The same rows, in the same order, as one statement (with its ORDER BY) whose select
   * list is `values`: the chosen columns' `sql` (over this statement's table aliases),
   * aliased. The export renders them above it and streams the whole as COPY on
   * PostgreSQL (copy.server.ts). Absent: the export reads batches.
   */
  copySelect?(values: string[]): SQL;
}

interface ReportBase {
  id: ReportId;
  title: string;
  description: string;
  /** Every permission the report needs. */
  permissions: Permission[];
  /** Default columns, in order. */
  defaults: string[];
  /** Parses the URL (throws ListFilterError: 400 with the field) and binds the query. */
  prepare(scope: ExportScope, params: URLSearchParams, now: Date): ReportRun | Promise<ReportRun>;
}

/** A report read with SQL: every column is defined by its SQL expression. */
export interface SqlReport extends ReportBase {
  columns: SqlColumn[];
  /** The row's currency as SQL over the statement's aliases; null when the report has no amounts. */
  currencySql: string | null;
}

/** A report computed in the domain (a few rows of arithmetic): every column is defined over its computed row. */
export interface ComputedReport<R> extends ReportBase {
  columns: ComputedColumn<R>[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Report = SqlReport | ComputedReport<any>;

/** The statement behind a SQL report's rows: tables (with the aliases its columns use), filter and keyset order. */
export interface SqlSource {
  from: SQL;
  where: SQL;
  sort: KeysetSort;
}

/**
 * The run of a SQL report over `source`: `count` counts its filtered table alone (`countFrom`,
 * with the alias its filter uses; the report's joins neither drop nor repeat a row), the
 * rows come in keyset batches or as one statement (COPY), with the row's currency.
 */
export function sqlRun(
  about: Pick<ReportRun, "rangeLabel" | "rangeText" | "filters">,
  source: SqlSource,
  countFrom: SQL,
  currencySql: string | null,
): ReportRun {
  return {
    ...about,
    count: () => countOf(sql`select count(*)::text as n from ${countFrom} where ${source.where}`),
    copySelect: (values) => sqlCopySelect(source, values),
    batches: (cols, size) => sqlBatches(replicaDb(), source, currencySql, cols, size),
  };
}

/** A console list an export reads: its URL filter, the filter's SQL and the sorts its `sort` names. */
export interface ListSource<F extends ListFilterShape> {
  schema: z.ZodType<F, z.ZodTypeDef, unknown>;
  filterSql(scope: ListScope, filter: F, now: Date): SQL;
  sorts: SortColumns;
}

type ListFilterShape = { sort: string; range: ListRange; from?: string; to?: string; cursor?: unknown; limit?: unknown; cols?: unknown };

/**
 * A report over a console list's rows (every page of it, in the list's order): `table` is
 * the list's table (what is counted, with its id for the keyset) and `from` it with the
 * joins the columns read. The file's period is the list's (`about` words it).
 */
export function listReport<F extends ListFilterShape>(
  report: Omit<SqlReport, "prepare" | "currencySql">,
  list: ListSource<F>,
  spec: { table: SQL; from?: SQL; id: SQL; currencySql: string },
  about: (range: ListRangeBounds, tz: string) => Pick<ReportRun, "rangeLabel" | "rangeText"> = periodAbout,
): SqlReport {
  return {
    ...report,
    currencySql: spec.currencySql,
    prepare(scope, params, now) {
      const filter = strictListQuery(list.schema, params);
      const source: SqlSource = {
        from: spec.from ?? spec.table,
        where: list.filterSql(listScopeOf(scope), filter, now),
        sort: sortOf(list.sorts, filter.sort, spec.id),
      };
      const range = resolveListRange(scope.timeZone, filter, now);
      return sqlRun({ ...about(range, scope.timeZone), filters: listFilters(filter) }, source, spec.table, spec.currencySql);
    },
  };
}

/**
 * A report over one table's rows in the period (all time by default), newest first: the
 * merchant's rows of `table` (under `alias`, joined as `joins` says) whose `at` is in the
 * period and whose columns equal the filters given (`equals`: parameter, column).
 */
export function periodReport<F extends { range: ListRange; from?: string; to?: string }>(
  report: Omit<SqlReport, "prepare" | "currencySql">,
  schema: z.ZodType<F, z.ZodTypeDef, unknown>,
  spec: { table: string; alias: string; joins: string; at: string; equals: { [K in keyof F]?: string }; currencySql: string },
): SqlReport {
  const column = (name: string) => sql.raw(`${spec.alias}.${name}`);
  const table = sql.raw(`${spec.table} ${spec.alias}`);
  return {
    ...report,
    currencySql: spec.currencySql,
    prepare(scope, params, now) {
      const filter = strictListQuery(schema, params);
      const period = resolveListRange(scope.timeZone, filter, now);
      const conds = [sql`${column("merchant_id")} = ${scope.merchantId}`, ...inPeriod(column(spec.at), period)];
      for (const [param, expr] of Object.entries(spec.equals) as [keyof F, string][]) {
        const value = filter[param];
        if (value) conds.push(sql`${sql.raw(expr)} = ${value}`);
      }
      const source: SqlSource = {
        from: sql`${table} ${sql.raw(spec.joins)}`,
        where: sql.join(conds, sql` and `),
        sort: { expr: column(spec.at), type: "timestamptz", desc: true, id: column("id") },
      };
      return sqlRun({ ...periodAbout(period, scope.timeZone), filters: filter }, source, table, spec.currencySql);
    },
  };
}

/** The scope a console list's filter SQL takes, from the export's. */
export function listScopeOf(scope: ExportScope): ListScope {
  return { merchantId: scope.merchantId, timeZone: scope.timeZone, currency: scope.currency };
}

/**
 * A list's filter as the audit trail records it: without what belongs to the page alone
 * (its cursor, size and, for payments, columns), as listExportHref leaves them out of the URL.
 */
export function listFilters<F extends { cursor?: unknown; limit?: unknown; cols?: unknown }>(filter: F): Omit<F, "cursor" | "limit" | "cols"> {
  const { cursor: _cursor, limit: _limit, cols: _cols, ...filters } = filter;
  return filters;
}

/** The period parameters a report shares with the lists (range, or from/to local days). */
export const periodParams = { range: listBaseShape.range, from: listBaseShape.from, to: listBaseShape.to };

/** What a file covering `period` says about its scope: its name's part and the sentence. */
export function periodAbout(period: ReportPeriod, tz: string): Pick<ReportRun, "rangeLabel" | "rangeText"> {
  return { rangeLabel: periodLabel(period, tz), rangeText: periodText(period, tz) };
}

/** The number a `select count(*)::text as n` query answers, on the replica. */
export async function countOf(query: SQL): Promise<number> {
  const [r] = await rows<{ n: string }>(replicaDb(), query);
  return Number(r?.n ?? 0);
}

/** `expr` within the period [from, to) (open ends add nothing). */
export function inPeriod(expr: SQL, period: ReportPeriod): SQL[] {
  return [
    ...(period.from ? [sql`${expr} >= ${period.from.toISOString()}::timestamptz`] : []),
    ...(period.to ? [sql`${expr} < ${period.to.toISOString()}::timestamptz`] : []),
  ];
}

/**
 * The chosen columns' raw values as a select list: each distinct expression once
 * (created and created_utc read the same instant), the row's currency last.
 */
export function rawSelect(columns: readonly ColumnSpec<never>[], currencySql: string | null): { select: string[]; index: number[]; currency: number } {
  const select: string[] = [];
  const at = (expr: string) => {
    const known = select.indexOf(expr);
    return known >= 0 ? known : select.push(expr) - 1;
  };
  const index = columns.map((c) => {
    if (c.sql === undefined) throw new Error(`column ${c.key} has no SQL definition`);
    return at(rawValueSql(c.kind, c.sql));
  });
  const currency = currencySql === null ? -1 : at(`(${currencySql})::text`);
  return { select, index, currency };
}

/** Raw rows from a SQL report's source, in keyset batches (any database). */
export async function* sqlBatches(
  dbx: DbOrTx,
  source: SqlSource,
  currencySql: string | null,
  columns: readonly ColumnSpec<never>[],
  batchSize: number,
): AsyncGenerator<RawRow[], void, undefined> {
  const { select, index, currency } = rawSelect(columns, currencySql);
  const list = select.length ? select.map((e, i) => `${e} as v${i}`).join(", ") : "null as v0";
  for await (const batch of keysetBatches<Record<string, CellValue>>(dbx, { ...source, select: sql.raw(list) }, batchSize)) {
    yield batch.map((r) => ({ cells: index.map((i) => r[`v${i}`]), currency: currency < 0 ? "" : String(r[`v${currency}`] ?? "") }));
  }
}

/**
 * Raw rows of a report's one-statement form (ReportRun.copySelect) through a cursor on
 * PostgreSQL (postgres.js): one plan for the whole export (hash joins over the period,
 * as COPY gets), `batchSize` rows fetched each time the previous batch has been taken.
 * Stopping early closes the cursor.
 */
export async function* cursorBatches(
  client: Sql,
  copySelect: (values: string[]) => SQL,
  currencySql: string | null,
  columns: readonly ColumnSpec<never>[],
  batchSize: number,
): AsyncGenerator<RawRow[], void, undefined> {
  const { select, index, currency } = rawSelect(columns, currencySql);
  const list = select.length ? select.map((e, i) => `${e} as v${i}`) : ["null as v0"];
  const q = dialect.sqlToQuery(copySelect(list));
  const cursor = client.unsafe<Record<string, CellValue>[]>(q.sql, q.params as never[]).cursor(batchSize);
  for await (const batch of cursor) {
    yield batch.map((r) => ({ cells: index.map((i) => r[`v${i}`]), currency: currency < 0 ? "" : String(r[`v${currency}`] ?? "") }));
  }
}

const dialect = new PgDialect();

/** The same rows as one ordered statement over `values` (for COPY). */
export function sqlCopySelect(source: SqlSource, values: string[]): SQL {
  const dir = source.sort.desc ? sql`desc` : sql`asc`;
  return sql`select ${sql.raw(values.join(", "))}
    from ${source.from}
    where ${source.where}
    order by ${source.sort.expr} ${dir}, ${source.sort.id} ${dir}`;
}

/** Computed rows as raw rows of the chosen columns. */
export function computedRows<R>(rowsOf: readonly R[], columns: readonly ColumnSpec<never>[], currencyOf: (row: R) => string): RawRow[] {
  const values = columns.map((c) => {
    if (!c.value) throw new Error(`column ${c.key} has no computed definition`);
    return c.value as unknown as (row: R) => CellValue;
  });
  return rowsOf.map((r) => ({ cells: values.map((v) => v(r)), currency: currencyOf(r) }));
}

/**
 * Reads a query in keyset order, one batch per step, so a million-row export holds
 * one batch in memory at a time and costs the same per batch at any depth (no OFFSET),
 * on PGlite and on a real server alike.
 */
export async function* keysetBatches<T>(
  dbx: DbOrTx,
  q: { select: SQL; from: SQL; where: SQL; sort: KeysetSort },
  batchSize: number,
): AsyncGenerator<T[], void, undefined> {
  let cursor: string | null = null;
  for (;;) {
    const page: { rows: T[]; next: string | null } = await keysetPage<T>(dbx, { ...q, cursor, limit: batchSize });
    await yieldToEventLoop();
    if (page.rows.length > 0) yield page.rows;
    if (!page.next) return;
    cursor = page.next;
  }
}

/**
 * PGlite runs a query on this thread and resolves it as a microtask, so a loop of
 * queries would never let the event loop run: sockets (this download's and every
 * other request's) would stall until the loop ends. One turn after each query keeps
 * the server responsive during a long export.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** "from-2025-01-01_before-2025-02-01" for an instant range (local days of `tz`). */
export function periodLabel(period: ReportPeriod, tz: string): string {
  if (!period.from && !period.to) return "all-time";
  const parts: string[] = [];
  if (period.from) parts.push(`from-${localDateKey(period.from, tz)}`);
  if (period.to) parts.push(`before-${localDateKey(period.to, tz)}`);
  return parts.join("_");
}

export function periodText(period: ReportPeriod, tz: string): string {
  if (!period.from && !period.to) return "All time";
  const from = period.from ? `from ${localDateKey(period.from, tz)} 00:00 (included)` : "from the beginning";
  const to = period.to ? `to ${localDateKey(period.to, tz)} 00:00 (not included)` : "to now";
  return `${from} ${to}, ${tz}`;
}

/** The same for whole local days, inclusive of both ('YYYY-MM-DD'), as calendar dates (arrival dates). */
export function dayRangeLabel(fromDay: string | null, toDayInclusive: string | null): { label: string; text: string } {
  if (!fromDay && !toDayInclusive) return { label: "all-time", text: "All dates" };
  const after = toDayInclusive ? nextDay(toDayInclusive) : null;
  const label = [fromDay ? `from-${fromDay}` : null, after ? `before-${after}` : null].filter(Boolean).join("_");
  const text = `${fromDay ? `from ${fromDay} (included)` : "from the first"} ${after ? `to ${after} (not included)` : "to the last"}`;
  return { label, text };
}

export function nextDay(day: string): string {
  return localDateKey(addLocalDays(new Date(`${day}T12:00:00Z`), 1, "UTC"), "UTC");
}

export function previousDay(day: string): string {
  return localDateKey(addLocalDays(new Date(`${day}T12:00:00Z`), -1, "UTC"), "UTC");
}
