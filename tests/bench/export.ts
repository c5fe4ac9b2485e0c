/**
 * The payout reconciliation export of about a million rows: rows per second and peak
 * resident memory, against the physical limit of the same rows through the same
 * driver (COPY ... TO STDOUT). Each side runs in a fresh child process.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { db, rows } from "~db/client.server";
import { BIG_MERCHANT_ID } from "./merchants";
import { ceiling, rate, type Metric } from "./stats";

const here = path.dirname(fileURLToPath(import.meta.url));

interface ChildResult {
  rows: number;
  bytes: number;
  ms: number;
  maxRssMb: number;
  /** The export process's CPU for the export (every thread), ms. */
  cpuMs: number;
}

export function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "export-child.ts")], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`export child exited with ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

/** Latest payout arrival dates back until about `target` reconciliation rows. */
export async function arrivalWindow(target: number): Promise<{ from: string; to: string; rows: number }> {
  const days = await rows<{ day: string; n: string }>(
    db(),
    sql`select po.expected_arrival_date::text as day, count(*)::text as n
        from payouts po join payout_items pi on pi.merchant_id = po.merchant_id and pi.payout_id = po.id
        where po.merchant_id = ${BIG_MERCHANT_ID}
        group by 1 order by 1 desc`,
  );
  let total = 0;
  let from = days[0]?.day ?? "2000-01-01";
  for (const d of days) {
    if (total >= target) break;
    total += Number(d.n);
    from = d.day;
  }
  const last = days[0]?.day ?? from;
  const to = new Date(Date.parse(`${last}T00:00:00Z`) + 86400_000).toISOString().slice(0, 10);
  return { from, to, rows: total };
}

export async function benchExport(url: string, cookie: string, targetRows: number, log: (m: string) => void): Promise<Metric[]> {
  const w = await arrivalWindow(targetRows);
  log(`  reconciliation of payouts arriving ${w.from} .. ${w.to} (not included): about ${w.rows.toLocaleString("en-US")} rows`);
  const env = { BENCH_EXPORT_URL: url, BENCH_EXPORT_FROM: w.from, BENCH_EXPORT_TO: w.to, BENCH_EXPORT_MERCHANT: BIG_MERCHANT_ID, BENCH_EXPORT_COOKIE: cookie };
  // One pass not counted first: at 10M payments these rows are older than the cache holds, and
  // whichever side ran first read them from disk for the other (a cold COPY made ours look 147 %).
  const warm = await runChild({ ...env, BENCH_EXPORT_MODE: "copy" });
  log(`  warm-up COPY (not counted): ${(warm.ms / 1000).toFixed(2)} s`);
  const copy = await runChild({ ...env, BENCH_EXPORT_MODE: "copy" });
  log(`  COPY: ${copy.rows.toLocaleString("en-US")} rows, ${(copy.bytes / 1e6).toFixed(1)} MB in ${(copy.ms / 1000).toFixed(2)} s, peak RSS ${copy.maxRssMb.toFixed(0)} MB`);
  const ours = await runChild({ ...env, BENCH_EXPORT_MODE: "ours" });
  log(`  export: ${ours.rows.toLocaleString("en-US")} rows, ${(ours.bytes / 1e6).toFixed(1)} MB in ${(ours.ms / 1000).toFixed(2)} s, peak RSS ${ours.maxRssMb.toFixed(0)} MB`);
  if (ours.rows !== copy.rows) log(`  ! the export wrote ${ours.rows} rows, COPY ${copy.rows}`);
  return [
    rate("export: reconciliation rows/s", ours.rows / (ours.ms / 1000), copy.rows / (copy.ms / 1000), "rows/s", { minRatio: 0.5 }),
    ceiling("export: peak RSS", ours.maxRssMb, copy.maxRssMb, "MB", 250),
  ];
}
