/**
 * The SQL a piece of the app really sends, and its plans: a postgres.js pool whose
 * debug hook records every statement with its parameters, installed as db() while
 * `fn` runs. Used by the plan tests and by the benchmark's probes.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { setDb, type Db, type DbHandle } from "../../../db/client.server";
import * as schema from "../../../db/schema";

export interface CapturedQuery {
  sql: string;
  params: unknown[];
}

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Total Time"?: number;
  "Actual Rows"?: number;
  "Plan Rows"?: number;
  Plans?: PlanNode[];
  [k: string]: unknown;
}

export interface Capture {
  db: Db;
  queries: CapturedQuery[];
  /** Runs `fn` with this pool as db() and returns the statements it sent. */
  record(fn: () => Promise<unknown>): Promise<CapturedQuery[]>;
  /** EXPLAIN (FORMAT JSON), with ANALYZE for reads: the root plan node and its execution time. */
  explain(q: CapturedQuery, analyze?: boolean, opts?: { indexOnly?: boolean }): Promise<{ plan: PlanNode; ms: number | null }>;
  close(): Promise<void>;
}

export function openCapture(url: string): Capture {
  const queries: CapturedQuery[] = [];
  let recording = false;
  const client = postgres(url, {
    max: 10,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
    debug: (_conn, query, params) => {
      if (recording && !/^\s*explain/i.test(query)) queries.push({ sql: query, params: params as unknown[] });
    },
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  const handle: DbHandle = { db, driver: "postgres", location: "capture", close: () => client.end({ timeout: 2 }) };
  return {
    db,
    queries,
    async record(fn) {
      const start = queries.length;
      setDb(handle);
      recording = true;
      try {
        await fn();
      } finally {
        recording = false;
      }
      return queries.slice(start);
    },
    async explain(q, analyze = /^\s*(select|with)\b/i.test(q.sql), opts = {}) {
      // indexOnly: the plan with sequential scans priced out (enable_seqscan off), so a
      // Seq Scan left in it means no index can serve that access, whatever the table's size.
      const conn = await client.reserve();
      try {
        if (opts.indexOnly) await conn.unsafe("set enable_seqscan = off");
        const [row] = (await conn.unsafe(`EXPLAIN (${analyze ? "ANALYZE, BUFFERS, " : ""}FORMAT JSON) ${q.sql}`, q.params as never[])) as unknown as [
          { "QUERY PLAN": [{ Plan: PlanNode; "Execution Time"?: number }] },
        ];
        const out = row["QUERY PLAN"][0];
        return { plan: out.Plan, ms: out["Execution Time"] ?? null };
      } finally {
        if (opts.indexOnly) await conn.unsafe("reset enable_seqscan");
        conn.release();
      }
    },
    close: () => client.end({ timeout: 2 }),
  };
}

/** Every node of a plan, depth first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

/** Tables read by a plan, with how: "Seq Scan", "Index Scan via payments_created", ... */
export function planAccess(plan: PlanNode): string[] {
  return planNodes(plan)
    .filter((n) => n["Relation Name"])
    .map((n) => `${n["Relation Name"]}: ${n["Node Type"]}${n["Index Name"] ? ` via ${n["Index Name"]}` : ""}`);
}

/** A plan as indented text, for failure messages and probes. */
export function planText(plan: PlanNode, depth = 0): string {
  const n = plan;
  const line = `${"  ".repeat(depth)}${n["Node Type"]}${n["Relation Name"] ? ` on ${n["Relation Name"]}` : ""}${n["Index Name"] ? ` using ${n["Index Name"]}` : ""}${n["Actual Total Time"] !== undefined ? ` (${n["Actual Total Time"]} ms, ${n["Actual Rows"]} rows)` : ""}`;
  return [line, ...(n.Plans ?? []).map((c) => planText(c, depth + 1))].join("\n");
}
