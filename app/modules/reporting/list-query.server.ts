/**
 * What every list page shares: reading its URL into a typed query (one zod schema per
 * route), turning dates and amounts typed by a person into SQL bounds in the merchant's
 * time zone and currency, and keyset pagination on (sort value, id).
 *
 * Keyset, not OFFSET: a page deep in a large ledger costs the same as the first one,
 * and a row inserted while someone pages does not shift the next page under them.
 */
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { rows, type DbOrTx } from "~db/client.server";
import { addLocalDays, isLedgerDateKey, isValidLocalDateKey, LEDGER_YEAR_MAX, LEDGER_YEAR_MIN, localDateKey, parseLocalDateKey } from "~/lib/dates/zones";
import { resolveRange, type RangePreset } from "~/lib/dates/ranges";
import { preprocessDay } from "~/lib/day-input";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { Scope } from "~/lib/vocabulary";

/** Who is asking and how their merchant counts days and money. Every query filters by merchantId. */
export interface ListScope extends Scope {
  timeZone: string;
  currency: string;
}

/** Builds a ListScope from the signed-in context of app/modules/access (or anything shaped like it). */
export function listScope(ctx: { scope: Scope; merchant: { timeZone: string; currency: string } }): ListScope {
  return { merchantId: ctx.scope.merchantId, timeZone: ctx.merchant.timeZone, currency: ctx.merchant.currency };
}

/** A filter value that cannot be applied: the field and a sentence a person can act on (HTTP 400). */
export class ListFilterError extends Error {
  readonly status = 400;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "ListFilterError";
  }
}

/* ------------------------------ URL -> object ------------------------------ */

/**
 * URLSearchParams (or a plain object) to an object: repeated keys become arrays
 * (checkbox groups), empty values are dropped (a GET form sends every field).
 */
export function searchParamsToObject(input: unknown): unknown {
  if (!(input instanceof URLSearchParams)) return input;
  const out: Record<string, string | string[]> = {};
  for (const [key, raw] of input) {
    const value = raw.trim();
    if (value === "") continue;
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function toList(v: unknown): unknown {
  if (v === undefined || v === null) return [];
  const items = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === "string" ? x.split(",") : [x]));
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const item of items) {
    const t = typeof item === "string" ? item.trim() : item;
    if (t === "" || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
  }
  return out;
}

/** A multi-valued filter: `status=a&status=b` or `status=a,b`. */
export function multi<T extends z.ZodTypeAny>(item: T, max = 50) {
  return z.preprocess(toList, z.array(item).max(max, `Choose at most ${max} values`)).default([] as never);
}

/** The last value when a single-valued key was repeated (a link glued onto a form). */
export function single<T extends z.ZodTypeAny>(schema: T) {
  return z.preprocess((v) => (Array.isArray(v) ? v[v.length - 1] : v), schema);
}

// A Jalali day typed by a Persian reader ("۱۴۰۴/۰۱/۰۱") arrives as its ISO day.
export const localDay = z.preprocess(
  preprocessDay,
  z
    .string()
    .refine(isValidLocalDateKey, "Enter a date as YYYY-MM-DD, for example 2025-03-21")
    .refine(isLedgerDateKey, `Enter a date between ${LEDGER_YEAR_MIN}-01-01 and ${LEDGER_YEAR_MAX}-12-31`),
);

/** An amount as a person typed it; converted with the merchant's currency by amountBound. */
export const amountInput = z.string().max(40, "That amount is too long");

export const LIST_RANGES = ["all", "today", "7d", "30d", "90d", "12m", "mtd", "custom"] as const;
export type ListRange = (typeof LIST_RANGES)[number];

export const pageSize = single(
  z.coerce
    .number()
    .int()
    .refine((n) => n === 25 || n === 50 || n === 100, "Show 25, 50 or 100 rows per page"),
).default(25);

/** The fields every list shares (spread into a route's schema). */
export const listBaseShape = {
  range: single(z.enum(LIST_RANGES, { message: "Choose one of the listed date ranges" })).default("all"),
  from: single(localDay).optional(),
  to: single(localDay).optional(),
  cursor: single(z.string().max(400)).optional(),
  limit: pageSize,
  min: single(amountInput).optional(),
  max: single(amountInput).optional(),
  /** The search box: what it matches is each list's own (its filter SQL). */
  q: single(z.string().max(100, "Search for at most 100 characters")).optional(),
};

/**
 * A list's URL schema: the fields every list shares and the list's own (its multi-value
 * filters and its sort), read from URLSearchParams (a repeated or comma-joined field is a list).
 */
export function listQuerySchema<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(searchParamsToObject, z.object({ ...listBaseShape, ...shape }));
}

/**
 * The CSV export of what a list page shows: the same filter and sort, without what
 * belongs to the page alone (its cursor, size and, for payments, columns).
 */
export function listExportHref(url: URL, report: string, pageOnly: readonly string[] = ["cursor", "limit"]): string {
  const params = new URLSearchParams(url.searchParams);
  for (const k of pageOnly) params.delete(k);
  return `/reports/${report}.csv?${params.toString()}`;
}

/**
 * Parses a list URL, keeping whatever is valid: a bad field is dropped and reported,
 * so the page still renders with a message beside the field instead of failing.
 */
export function parseListQuery<S extends z.ZodTypeAny>(
  schema: S,
  params: URLSearchParams,
): { query: z.output<S>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const obj = searchParamsToObject(params) as Record<string, unknown>;
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = schema.safeParse(obj);
    if (r.success) return { query: r.data, errors };
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? "");
      if (!key || !(key in obj)) continue;
      errors[key] ??= issue.message;
      delete obj[key];
    }
  }
  // Unreachable with optional/defaulted fields; fall back to the defaults.
  return { query: schema.parse({}), errors };
}

/** The first problem of a strict parse, as a ListFilterError (for CSV endpoints that answer 400). */
export function strictListQuery<S extends z.ZodTypeAny>(schema: S, params: unknown): z.output<S> {
  const r = schema.safeParse(params);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new ListFilterError(String(issue.path[0] ?? "query"), issue.message);
}

/* ------------------------------ Dates, amounts ----------------------------- */

export interface ListRangeBounds {
  /** Inclusive. */
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
  /** The local days shown to the person, inclusive ('YYYY-MM-DD'). */
  fromDay: string | null;
  toDay: string | null;
}

/**
 * A list's date filter in the merchant's time zone: explicit from/to days win (either
 * may be open), else a preset like the Overview's, else all time.
 */
export function resolveListRange(
  tz: string,
  q: { range: ListRange; from?: string; to?: string },
  now: Date = new Date(),
): ListRangeBounds {
  if (q.from || q.to) {
    const from = q.from ? parseLocalDateKey(q.from, tz) : null;
    const to = q.to ? addLocalDays(parseLocalDateKey(q.to, tz), 1, tz) : null;
    if (from && to && to.getTime() <= from.getTime()) {
      throw new ListFilterError("to", "The end date is before the start date: pick an end date on or after the start.");
    }
    return { from, to, fromDay: q.from ?? null, toDay: q.to ?? null };
  }
  if (q.range === "all" || q.range === "custom") return { from: null, to: null, fromDay: null, toDay: null };
  const r = resolveRange(q.range as RangePreset, now, tz);
  return { from: r.from, to: r.to, fromDay: localDateKey(r.from, tz), toDay: localDateKey(new Date(r.to.getTime() - 1), tz) };
}

/** A typed amount bound in minor units of the merchant's currency. */
export function amountBound(currency: string, raw: string | undefined, field: string, label: string): bigint | null {
  if (raw === undefined || raw.trim() === "") return null;
  if (!isCurrencyCode(currency)) throw new ListFilterError(field, `Amounts in ${currency} cannot be filtered`);
  const r = parseAmount(raw, currency);
  if (!r.ok) throw new ListFilterError(field, `${label}: ${r.reason}`);
  return r.minor;
}

export function amountRange(
  currency: string,
  q: { min?: string; max?: string },
): { min: bigint | null; max: bigint | null } {
  const min = amountBound(currency, q.min, "min", "Minimum amount");
  const max = amountBound(currency, q.max, "max", "Maximum amount");
  if (min !== null && max !== null && max < min) {
    throw new ListFilterError("max", "The maximum amount is below the minimum: raise the maximum or lower the minimum.");
  }
  return { min, max };
}

/** A list's amount filter as conditions on `column` (minor units, both bounds included; none for an open end). */
export function amountFilterSql(column: SQL, currency: string, q: { min?: string; max?: string }): SQL[] {
  const { min, max } = amountRange(currency, q);
  return [
    ...(min !== null ? [sql`${column} >= ${min.toString()}::bigint`] : []),
    ...(max !== null ? [sql`${column} <= ${max.toString()}::bigint`] : []),
  ];
}

/**
 * A list's date filter as conditions on `column`: an instant in [from, to) or, for a column
 * of the merchant's local days (`date`), a day in [fromDay, toDay]; none for an open end.
 */
export function rangeFilterSql(column: SQL, range: ListRangeBounds, type: "timestamptz" | "date" = "timestamptz"): SQL[] {
  if (type === "date") {
    return [...(range.fromDay ? [sql`${column} >= ${range.fromDay}::date`] : []), ...(range.toDay ? [sql`${column} <= ${range.toDay}::date`] : [])];
  }
  return [
    ...(range.from ? [sql`${column} >= ${range.from.toISOString()}::timestamptz`] : []),
    ...(range.to ? [sql`${column} < ${range.to.toISOString()}::timestamptz`] : []),
  ];
}

/** `a and b and c` (true when empty). */
export function and(conds: (SQL | null | undefined)[]): SQL {
  const list = conds.filter((c): c is SQL => !!c);
  if (list.length === 0) return sql`true`;
  return sql.join(
    list.map((c) => sql`(${c})`),
    sql` and `,
  );
}

export function prefixPattern(s: string): string {
  return `${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

/* --------------------------------- Keyset ---------------------------------- */

export type SortType = "timestamptz" | "bigint" | "date" | "text";

export interface KeysetSort {
  /** The sort expression (a column). */
  expr: SQL;
  type: SortType;
  desc: boolean;
  /** The tie-breaker, unique within the merchant (the row id). */
  id: SQL;
}

interface Cursor {
  v: string;
  id: string;
  dir: "next" | "prev";
}

const CURSOR_VALUE: Record<SortType, RegExp> = {
  timestamptz: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  bigint: /^-?\d{1,19}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  // Ids: time-ordered, so an id order is a creation order an index can walk.
  text: /^[A-Za-z0-9_]{1,100}$/,
};

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.v, c.id, c.dir === "prev" ? "p" : "n"]), "utf8").toString("base64url");
}

const STALE_CURSOR = "This page link no longer matches the list (it may be from another sort order). Start again from the first page.";

export function decodeCursor(raw: string, type: SortType): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw new ListFilterError("cursor", STALE_CURSOR);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== "string" ||
    typeof parsed[1] !== "string" ||
    (parsed[2] !== "n" && parsed[2] !== "p") ||
    !CURSOR_VALUE[type].test(parsed[0]) ||
    parsed[1].length > 100
  ) {
    throw new ListFilterError("cursor", STALE_CURSOR);
  }
  return { v: parsed[0], id: parsed[1], dir: parsed[2] === "p" ? "prev" : "next" };
}

function keyText(expr: SQL, type: SortType): SQL {
  // Microseconds kept: JS Dates have only milliseconds, and a cursor that rounds
  // would skip or repeat rows created within the same millisecond.
  if (type === "timestamptz") return sql`to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  return sql`(${expr})::text`;
}

function keyValue(v: string, type: SortType): SQL {
  if (type === "timestamptz") return sql`${v}::timestamptz`;
  if (type === "bigint") return sql`${v}::bigint`;
  if (type === "text") return sql`${v}::text`;
  return sql`${v}::date`;
}

export interface Page<T> {
  rows: T[];
  /** Cursor of the next page, or null on the last one. */
  next: string | null;
  /** Cursor of the previous page, or null on the first one. */
  prev: string | null;
}

/**
 * One page in the order of `sort`, after/before `cursor`. `select` lists the columns
 * (without a trailing comma); `from` and `where` complete the query.
 */
export async function keysetPage<T>(
  dbx: DbOrTx,
  q: {
    select: SQL;
    from: SQL;
    where: SQL;
    sort: KeysetSort;
    cursor?: string | null;
    limit: number;
    /** A prepared statement (see rows()): only for a fixed query such as "the latest five", never for user filters. */
    prepare?: boolean;
  },
): Promise<Page<T>> {
  const { sort, limit } = q;
  const cursor = q.cursor ? decodeCursor(q.cursor, sort.type) : null;
  const backward = cursor?.dir === "prev";
  // Walking backwards reverses the order; rows are flipped back afterwards.
  const desc = backward ? !sort.desc : sort.desc;
  const dir = desc ? sql`desc` : sql`asc`;
  const after = cursor
    ? desc
      ? sql`(${sort.expr}, ${sort.id}) < (${keyValue(cursor.v, sort.type)}, ${cursor.id})`
      : sql`(${sort.expr}, ${sort.id}) > (${keyValue(cursor.v, sort.type)}, ${cursor.id})`
    : sql`true`;
  const fetched = await rows<T & { _sort_key: string; _row_id: string }>(
    dbx,
    sql`select ${q.select}, ${keyText(sort.expr, sort.type)} as _sort_key, ${sort.id} as _row_id
        from ${q.from}
        where (${q.where}) and ${after}
        order by ${sort.expr} ${dir}, ${sort.id} ${dir}
        limit ${q.prepare ? sql.raw(String(Math.trunc(limit) + 1)) : limit + 1}`,
    // Prepared, the limit is part of the statement: with LIMIT $n PostgreSQL plans for an
    // unknown (large) limit and keeps planning every run instead of reusing one plan.
    { prepare: q.prepare },
  );
  const more = fetched.length > limit;
  const page = fetched.slice(0, limit);
  if (backward) {
    // Back at the start (rows were added or removed since): show the first page as it is now.
    if (!more) return keysetPage(dbx, { ...q, cursor: null });
    page.reverse();
  }
  const key = (r: { _sort_key: string; _row_id: string } | undefined, d: Cursor["dir"]) =>
    r ? encodeCursor({ v: r._sort_key, id: r._row_id, dir: d }) : null;
  const first = page[0];
  const last = page[page.length - 1];
  const next = backward ? key(last, "next") : more ? key(last, "next") : null;
  const prev = backward ? key(first, "prev") : cursor ? key(first, "prev") : null;
  const clean = page.map(({ _sort_key: _k, _row_id: _i, ...rest }) => rest as unknown as T);
  return { rows: clean, next, prev };
}

/** Sort parameter "field" or "-field" (descending) for the whitelisted fields. */
export function sortParam<F extends string>(fields: readonly [F, ...F[]], fallback: `${"-" | ""}${F}`) {
  const values = fields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];
  return single(z.enum(values, { message: `Sort by ${fields.join(", ")}` })).default(fallback) as unknown as z.ZodDefault<
    z.ZodType<`${"-" | ""}${F}`>
  >;
}

export function parseSort<F extends string>(s: string): { field: F; desc: boolean } {
  return s.startsWith("-") ? { field: s.slice(1) as F, desc: true } : { field: s as F, desc: false };
}

/** A list's sortable columns, by the name its URL uses (`sort=-amount`). */
export type SortColumns = Record<string, { expr: SQL; type: SortType }>;

/** The sorts of a list of money movements (payments, refunds, payouts): by when each was created or by amount. */
export function createdOrAmountSorts(createdAt: SQL, amount: SQL): SortColumns {
  return { created: { expr: createdAt, type: "timestamptz" }, amount: { expr: amount, type: "bigint" } };
}

/** The sort a list's `sort` parameter names, as keysetPage takes it. */
export function sortOf(columns: SortColumns, param: string, id: SQL): KeysetSort {
  const { field, desc } = parseSort(param);
  const col = columns[field];
  if (!col) throw new Error(`unknown sort column: ${field}`);
  return { expr: col.expr, type: col.type, desc, id };
}

/** A list's totals row: every row under `where`, and those in status `done` (money that moved). */
export async function countAndSum(
  dbx: DbOrTx,
  q: { from: SQL; where: SQL; amount: SQL; status: SQL; done: string },
): Promise<{ count: number; amount: bigint; doneCount: number; doneAmount: bigint }> {
  const [t] = await rows<{ count: string; amount: string; done_count: string; done_amount: string }>(
    dbx,
    sql`select count(*)::text as count, coalesce(sum(${q.amount}), 0)::text as amount,
          count(*) filter (where ${q.status} = ${q.done})::text as done_count,
          coalesce(sum(${q.amount}) filter (where ${q.status} = ${q.done}), 0)::text as done_amount
        from ${q.from} where ${q.where}`,
  );
  return { count: Number(t?.count ?? 0), amount: BigInt(t?.amount ?? "0"), doneCount: Number(t?.done_count ?? 0), doneAmount: BigInt(t?.done_amount ?? "0") };
}

/**
 * Runs a list query; a filter it cannot apply is reported on its field (the page shows
 * the message and an empty result with status 400) instead of failing the page.
 */
export async function runListQuery<T>(errors: Record<string, string>, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ListFilterError) {
      errors[e.field] = e.message;
      return null;
    }
    throw e;
  }
}

/** `col in (values…)` for a multi-valued filter; null (no condition) when nothing is chosen. */
export function inList(col: SQL, values: readonly string[], enumType?: string): SQL | null {
  // An enum column against enum values (zod has checked them), not text against text: the
  // planner then uses the column's statistics.
  const value = (v: string) => (enumType ? sql`${v}::${sql.raw(enumType)}` : sql`${v}`);
  return values.length ? sql`${col} in (${sql.join(values.map(value), sql`, `)})` : null;
}

/**
 * One keyset page of a list and the count and sum of its whole filter (with those of the
 * rows in the `done` status), read at once: what the refunds and payouts lists show. The
 * page is the one the list's own parameters name (sort, cursor, limit); `id` breaks ties.
 */
export async function pageAndTotals<Raw, Row>(
  dbx: DbOrTx,
  q: { select: SQL; from: SQL; where: SQL; sorts: SortColumns; id: SQL; totals: { from: SQL; amount: SQL; status: SQL; done: string } },
  params: { sort: string; cursor?: string | null; limit: number },
  toRow: (raw: Raw) => Row,
): Promise<{ page: Page<Row>; totals: { count: number; amount: bigint; doneCount: number; doneAmount: bigint } }> {
  const sort = sortOf(q.sorts, params.sort, q.id);
  const [page, totals] = await Promise.all([
    keysetPage<Raw>(dbx, { select: q.select, from: q.from, where: q.where, sort, cursor: params.cursor, limit: params.limit }),
    countAndSum(dbx, { ...q.totals, where: q.where }),
  ]);
  return { page: { ...page, rows: page.rows.map(toRow) }, totals };
}
