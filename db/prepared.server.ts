/**
 * Hot statements built once per process.
 *
 * drizzle's `.prepare(name)` makes PostgreSQL parse a statement once per connection, but
 * the query builder still builds and renders the SQL text on every call (for a payment's
 * insert: thirty columns walked, escaped and joined, per request; the profile of the write
 * path had drizzle's builder as its largest item). These helpers build a statement once per
 * database (its drizzle dialect), with `sql.placeholder(...)` for every value, and on each
 * call only fill the values in and run it on the handle given: the database or a
 * transaction (its connection). Results are mapped by drizzle exactly as `.prepare()` maps
 * them (columns to camelCase, timestamps to Date, bigint columns to bigint).
 *
 * Values go through the column's encoder for builder statements (as `.values({...})` does);
 * for raw SQL they are sent as given, so pass what the driver takes (strings, numbers,
 * bigints as strings with a `::bigint` cast, dates as ISO strings with a cast).
 */
import type { SQL } from "drizzle-orm";
import type { Db, DbOrTx } from "./client.server";

interface Internals {
  dialect: object & { sqlToQuery(q: SQL): { sql: string; params: unknown[] } };
  session: {
    client: unknown;
    prepareQuery(q: { sql: string; params: unknown[] }, fields: undefined, name: string | undefined, arrayMode: boolean): Executable<unknown>;
  };
}

interface Executable<T> {
  execute(values?: Record<string, unknown>): Promise<T>;
}

type Bound<T> = Executable<T> & { client: unknown };

/** Runs a statement built for one connection (or pool) on the connection of `dbx`. */
function on<T>(base: Bound<T>, dbx: DbOrTx, values: Record<string, unknown>): Promise<T> {
  const client = (dbx as unknown as Internals).session.client;
  if (base.client === client) return base.execute(values);
  // The prepared query object of drizzle keeps its SQL, parameters and result mapping; only
  // the connection differs (a transaction's): a shallow view of it with that client.
  const view = Object.create(base) as Bound<T>;
  view.client = client;
  return view.execute(values);
}

/**
 * A drizzle builder statement, built once per database: `build(d)` returns
 * `d.insert(...).values({ col: sql.placeholder("col") }).returning().prepare(name)` (or a
 * select, update, delete); the returned function runs it with the placeholders' values on
 * the database or a transaction.
 */
export function preparedOnce<T>(build: (d: Db) => Executable<T>): (dbx: DbOrTx, values: Record<string, unknown>) => Promise<T> {
  const byDialect = new WeakMap<object, Bound<T>>();
  return (dbx, values) => {
    const dialect = (dbx as unknown as Internals).dialect;
    let base = byDialect.get(dialect);
    if (!base) byDialect.set(dialect, (base = build(dbx as Db) as Bound<T>));
    return on(base, dbx, values);
  };
}

/**
 * Raw SQL with placeholders, built (rendered) once per database and shape: `build(shape)`
 * returns the SQL for a shape key (a statement whose text depends on the data, such as the
 * number of ledger postings, has one text per shape). Rows come back as the driver returns
 * them (column names as written in the SQL).
 */
export function preparedSql<T = Record<string, unknown>, K extends string = string>(
  build: (shape: K) => SQL,
): (dbx: DbOrTx, values: Record<string, unknown>, shape?: K) => Promise<T[]> {
  const byDialect = new WeakMap<object, Map<string, Bound<unknown>>>();
  return async (dbx, values, shape = "" as K) => {
    const raw = dbx as unknown as Internals;
    let shapes = byDialect.get(raw.dialect);
    if (!shapes) byDialect.set(raw.dialect, (shapes = new Map()));
    let base = shapes.get(shape);
    if (!base) {
      // A statement name makes postgres.js prepare it (parsed once per connection).
      base = raw.session.prepareQuery(raw.dialect.sqlToQuery(build(shape)), undefined, "", false) as Bound<unknown>;
      shapes.set(shape, base);
    }
    const result = await on(base, dbx, values);
    if (Array.isArray(result)) return result as T[];
    return ((result as { rows?: T[] }).rows ?? []) as T[];
  };
}
