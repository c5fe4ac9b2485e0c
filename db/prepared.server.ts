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
import { sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "./client.server";

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

/**
 * A condition that is always true and makes the commit of its statement's transaction not
 * wait for the WAL flush (synchronous_commit off for that transaction only: the connection's
 * next transaction waits again). Put it in the WHERE of a write whose loss in a crash of the
 * database cannot be seen: one that is always followed, before anything of the request leaves
 * the system, by a synchronous commit of the same request (that flush covers all WAL before
 * it), or whose loss is the same as the request never having arrived. A commit's flush is
 * about a quarter of a millisecond of PostgreSQL's CPU here (docs/write-path.md,
 * "PostgreSQL's share (wpg)"). Used by the Idempotency-Key's claim and the vault of a card
 * being paid with.
 */
export const commitWithoutFlushWait = sql`set_config('synchronous_commit', 'off', true) = 'off'`;

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

/**
 * The handle a pipelined transaction's statements run on: the database itself, seen through a
 * session whose client is the reserved connection (preparedOnce/preparedSql and drizzle's
 * builders take `session.client`). drizzle's own PgTransaction was built for each call before:
 * its constructor makes a relational query builder per table of the schema (2 % of the
 * write path's CPU, two per payment). What would not run on the connection is refused:
 * `query` and `_` (their builders hold the pool's session) and nested transactions.
 */
function onConnection(d: DbOrTx, reserved: unknown): Tx {
  const raw = d as unknown as { session: object };
  const refuse = (what: string) => ({
    get(): never {
      throw new Error(`pipelinedTx: ${what} is not available in a pipelined transaction (send single statements: preparedOnce/preparedSql)`);
    },
  });
  return Object.create(d, {
    session: { value: Object.create(raw.session, { client: { value: reserved } }) },
    query: refuse("tx.query"),
    _: refuse("tx._"),
    transaction: refuse("tx.transaction"),
  }) as Tx;
}

interface PgJsQuery<T = unknown> extends Promise<T> {
  execute(): PgJsQuery<T>;
}
interface PgJsReserved {
  unsafe(q: string, params?: unknown[], opts?: { onexecute?: (c: { onclose?: ((e: unknown) => void) | null; terminate(): void }) => boolean }): PgJsQuery<{ command?: string }>;
  release(): void;
}

/**
 * Whether an error means the connection itself is gone: anything but an ordinary statement
 * error (a PostgresError of severity ERROR, after which the connection is usable). drizzle
 * wraps a statement's error in its own (DrizzleQueryError, the driver's error in `cause`):
 * the driver's error is the one that tells.
 */
export function connectionLost(e: unknown): boolean {
  let pe = e as { name?: string; severity?: string; cause?: unknown } | null;
  for (let depth = 0; depth < 4 && pe && pe.name !== "PostgresError" && pe.cause && typeof pe.cause === "object"; depth++) {
    pe = pe.cause as typeof pe;
  }
  return !(pe && pe.name === "PostgresError" && pe.severity === "ERROR");
}

/** The transaction was rolled back because `commitIf` said so (its results are kept). */
export class RolledBack<R> extends Error {
  constructor(readonly results: R) {
    super("rolled back");
  }
}

/**
 * A short transaction whose statements do not need each other's results, in one round trip
 * on a real server: BEGIN, the statements and COMMIT are sent together on one connection
 * (postgres.js pipelines them; the server runs them one after the other, in order). If a
 * statement fails, the ones after it fail too ("transaction is aborted") and the COMMIT
 * becomes a ROLLBACK: the first failure is thrown, nothing was written.
 *
 * `statements(tx)` must *send* each of its statements without awaiting another one's result
 * (return their promises; one statement per call, e.g. a preparedOnce/preparedSql call or
 * recordEvent). With `commitIf`, the results are awaited first and the transaction is
 * committed only if it says so, else rolled back and RolledBack thrown: two round trips.
 *
 * PGlite (embedded, no round trips) and a handle that is already a transaction run the same
 * statements in a drizzle transaction.
 */
export async function pipelinedTx<R extends unknown[]>(
  d: DbOrTx,
  statements: (tx: Tx) => { [K in keyof R]: Promise<R[K]> },
  commitIf?: (results: R) => boolean,
): Promise<R> {
  const raw = d as unknown as Internals;
  const client = raw.session.client as { reserve?: () => Promise<PgJsReserved>; begin?: unknown } | undefined;
  const isPool = !!client && typeof client.reserve === "function" && typeof client.begin === "function";
  if (!isPool) {
    return (d as Db).transaction(async (tx) => {
      const results = (await Promise.all(statements(tx))) as R;
      if (commitIf && !commitIf(results)) throw new RolledBack(results);
      return results;
    });
  }
  const reserved = await client.reserve!();
  let closed = false;
  let lost = false;
  let conn: { onclose?: ((e: unknown) => void) | null; terminate(): void } | undefined;
  let onClosed = () => {};
  const closedSignal = new Promise<void>((r) => (onClosed = r));
  // Every statement's answer, or a lost connection's error once the connection has closed and
  // some answer is still missing: a backend ended by the server (pg_terminate_backend) while
  // the pipeline was in flight rejected the statement in progress but never the COMMIT queued
  // after it, and the caller waited forever. Unsettled there means unknown, as any lost answer.
  const settle = <T,>(ps: Promise<T>[]) =>
    Promise.race([
      Promise.allSettled(ps),
      closedSignal
        .then(() => new Promise((r) => setTimeout(r, 50)))
        .then(() => Promise.reject(Object.assign(new Error("write CONNECTION_CLOSED: the connection closed before the transaction was answered"), { code: "CONNECTION_CLOSED", errno: "CONNECTION_CLOSED" }))),
    ]);
  try {
    // Set before BEGIN is handed to the connection, so this callback runs before postgres.js's
    // own setImmediate that writes the turn's messages: the COMMIT sent from it joins them in
    // the same socket write (set after, it went out alone in the next turn's write).
    const turnEnd = commitIf ? null : new Promise((r) => setImmediate(r));
    const begin = reserved
      .unsafe("begin", [], {
        onexecute: (c) => {
          conn = c;
          c.onclose = () => {
            closed = true;
            onClosed();
          };
          return true; // keep pipelining (postgres.js holds the next queries back on a falsy answer)
        },
      })
      .execute();
    const sent = statements(onConnection(d, reserved)) as Promise<unknown>[];
    if (!commitIf) {
      // Every statement is handed to the connection in a microtask of this turn: the COMMIT
      // goes after the last of them, in the same write (postgres.js writes on setImmediate,
      // and the microtasks after each immediate callback run before the next one).
      await turnEnd;
      const commit = reserved.unsafe("commit").execute();
      const settled = await settle([begin, ...sent, commit]);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed) throw failed.reason;
      const done = settled[settled.length - 1] as PromiseFulfilledResult<{ command?: string }>;
      if (done.value.command && done.value.command.toUpperCase() !== "COMMIT") throw new Error(`transaction ended with ${done.value.command}`);
      return settled.slice(1, -1).map((s) => (s as PromiseFulfilledResult<unknown>).value) as R;
    }
    const settled = await settle([begin, ...sent]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      if (!closed && !connectionLost(failed.reason)) await reserved.unsafe("rollback").catch(() => {});
      throw failed.reason;
    }
    const results = settled.slice(1).map((s) => (s as PromiseFulfilledResult<unknown>).value) as R;
    if (!commitIf(results)) {
      await reserved.unsafe("rollback");
      throw new RolledBack(results);
    }
    await reserved.unsafe("commit");
    return results;
  } catch (e) {
    // A connection that failed (its socket closed or broke, or the server ended it) is
    // never handed back to the pool or sent a ROLLBACK: a query sent on it between the
    // failure and its 'close' was never answered and never rejected, and held the next
    // request's answers (porsager/postgres#1186). It is ended; the pool reopens it.
    if (!closed && conn && !(e instanceof RolledBack) && connectionLost(e)) {
      lost = true;
      conn.terminate();
    }
    throw e;
  } finally {
    // A connection that closed meanwhile went back to the pool's closed ones by itself.
    if (!closed && !lost) {
      if (conn) conn.onclose = null;
      reserved.release();
    }
  }
}
