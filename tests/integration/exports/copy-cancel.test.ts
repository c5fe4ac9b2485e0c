import { sql } from "drizzle-orm";
import { rows } from "../../../db/client.server";
import { exportReport } from "../../../app/web/exports/download.server";
import { getOptionalContext } from "../../../app/web/guard.server";
import { loadBenchLedger } from "../../bench/load";
import { BENCH_USER } from "../../bench/merchants";
import { as, signIn, type SignedIn } from "../../support/auth";
import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { chunksLeft } from "../../support/responses";

/**
 * A download that stops half way (the person closes the tab) must stop its COPY on the
 * server and give its connection back: an export of tens of megabytes that nobody reads
 * would otherwise hold a backend in ClientWrite, and a pool connection, for good.
 * Needs a real server (TEST_DATABASE_URL); on PGlite (no COPY) it skips.
 */
const t = useTestDatabase({ seed: "none" });

let user: SignedIn;

interface Backend {
  pid: number;
  state: string;
  wait_event: string | null;
  query: string;
}

/** This database's sessions running a COPY of an export (its parallel workers aside). */
async function copies(): Promise<Backend[]> {
  return rows<Backend>(
    t.db,
    sql`select pid, state, wait_event, left(query, 40) as query from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
          and query like 'COPY (select%' and state <> 'idle'`,
  );
}

/** Transactions of this database that ended in an error: a cancelled COPY is one. */
async function rollbacks(): Promise<number> {
  const [r] = await rows<{ n: string }>(t.db, sql`select xact_rollback::text as n from pg_stat_database where datname = current_database()`);
  return Number(r!.n);
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function lastAudit(): Promise<Record<string, unknown>> {
  const [e] = await rows<{ details: Record<string, unknown> | string }>(
    t.db,
    sql`select details from audit_events where action = 'export.download' order by id desc limit 1`,
  );
  return typeof e!.details === "string" ? JSON.parse(e!.details) : e!.details;
}

/** Starts the whole reconciliation (tens of megabytes), reads the header and one chunk, and checks the COPY is running. */
async function startExport(signal?: AbortSignal) {
  const ctx = (await getOptionalContext(as(user, "/reports")))!;
  const path = "/reports/payout-reconciliation.csv?arrival_from=2000-01-01&arrival_to=2100-01-01";
  const request = signal ? new Request(as(user, path), { signal }) : as(user, path);
  const res = await exportReport(ctx, "payout-reconciliation", request);
  const reader = res.body!.getReader();
  const header = new TextDecoder().decode((await reader.read()).value);
  expect(header).toMatch(/^"payout_id","payout_expected_arrival_date",/);
  expect((await reader.read()).value!.length).toBeGreaterThan(1000);
  // Nobody reads on: the server fills the socket and then waits for the client
  // (backpressure reaches the server: nothing piles up in this process).
  const running = await until("the export's COPY waiting for its client", copies, (l) => l.length === 1 && l[0]!.wait_event === "ClientWrite");
  expect(running[0]!.state).toBe("active");
  return reader;
}

noticeRealServerOnly(t.realServer, "a cancelled COPY export", "PGlite has no COPY path");

describe.skipIf(!t.realServer)("a COPY export stopped by its client (real PostgreSQL)", () => {
  beforeAll(async () => {
    // About 60,000 reconciliation rows: far more than the socket buffers hold.
    await loadBenchLedger(t.url!, { payments: 60_000, days: 365, smallMerchants: 0, smallPayments: 0, seed: 5, now: new Date(), log: () => {} });
    user = await signIn(BENCH_USER.email, BENCH_USER.password);
  }, 600_000);

  it("a cancelled body stream cancels the statement, and its connection serves the next query", async () => {
    const reader = await startExport();
    const before = await rollbacks();
    await reader.cancel();
    await until("COPY after the cancel", copies, (l) => l.length === 0);
    // Stopped by its cancel ("canceling statement due to user request"), not read to its end.
    await until("a rolled-back COPY in the statistics", rollbacks, (n) => n > before, 15_000);
    expect(await lastAudit()).toMatchObject({ report: "payout-reconciliation", rendering: "copy", completed: false, stopped: "cancelled by the client" });
    // Every connection of the pool is usable (none is stuck in a half-read COPY).
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => rows<{ n: number }>(t.db, sql`select ${i}::int as n`)));
    expect(results.map((r) => r[0]!.n)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it("an aborted request stops the COPY at the next read, and the audit says so", async () => {
    const controller = new AbortController();
    const reader = await startExport(controller.signal);
    const before = await rollbacks();
    controller.abort();
    expect(await chunksLeft(reader)).toBe(0);
    await until("COPY after the abort", copies, (l) => l.length === 0);
    await until("a rolled-back COPY in the statistics", rollbacks, (n) => n > before, 15_000);
    const audit = await lastAudit();
    expect(audit).toMatchObject({ rendering: "copy", completed: false, stopped: "cancelled by the client" });
    expect(audit.rows as number).toBeGreaterThan(0);
    expect(audit.rows as number).toBeLessThan(50_000);
  });

  it("read to the end, the same export completes and its connection goes back idle", async () => {
    const ctx = (await getOptionalContext(as(user, "/reports")))!;
    const res = await exportReport(ctx, "payout-reconciliation", as(user, "/reports/payout-reconciliation.csv?arrival_from=2000-01-01&arrival_to=2100-01-01"));
    let records = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      for (let i = 1; i < chunk.length; i++) if (chunk[i] === 10 && chunk[i - 1] === 13) records++;
    }
    const [n] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from payout_items pi join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
          where lt.category <> 'payout_paid'`,
    );
    expect(await lastAudit()).toMatchObject({ rendering: "copy", completed: true, rows: n!.n });
    expect(records).toBeGreaterThanOrEqual(n!.n + 1);
    expect(await copies()).toEqual([]);
  });
});
