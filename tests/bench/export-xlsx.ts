/**
 * The same payout reconciliation of about a million rows as a CSV (the route's loader: one
 * COPY on PostgreSQL) and as an Excel workbook (the route's loader: keyset batches written
 * into exceljs's streaming WorkbookWriter), side by side, each in a fresh child process:
 * rows per second and peak resident memory. Targets: the workbook at >= 40 % of the CSV's
 * rows/s, and both within the export memory target (peak RSS <= 250 MB).
 */
import os from "node:os";
import { arrivalWindow, runChild } from "./export";
import { ceiling, rate, type Metric } from "./stats";
import { BIG_MERCHANT_ID } from "./merchants";

export async function benchExportXlsx(url: string, cookie: string, targetRows: number, log: (m: string) => void): Promise<Metric[]> {
  const w = await arrivalWindow(targetRows);
  log(`  reconciliation of payouts arriving ${w.from} .. ${w.to} (not included): about ${w.rows.toLocaleString("en-US")} rows`);
  const env = { BENCH_EXPORT_URL: url, BENCH_EXPORT_FROM: w.from, BENCH_EXPORT_TO: w.to, BENCH_EXPORT_MERCHANT: BIG_MERCHANT_ID, BENCH_EXPORT_COOKIE: cookie };
  // One uncounted pass first, so that neither side reads the rows from disk for the other.
  await runChild({ ...env, BENCH_EXPORT_MODE: "copy" });
  const csv = await runChild({ ...env, BENCH_EXPORT_MODE: "ours" });
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");
  const line = (name: string, r: typeof csv) =>
    `  ${name} ${r.rows.toLocaleString("en-US")} rows, ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.ms / 1000).toFixed(2)} s: ${Math.round(r.rows / (r.ms / 1000)).toLocaleString("en-US")} rows/s, peak RSS ${r.maxRssMb.toFixed(0)} MB, ` +
    `the export process's CPU ${(r.cpuMs / 1000).toFixed(2)} s (load average ${load()})`;
  log(line("CSV: ", csv));
  const xlsx = await runChild({ ...env, BENCH_EXPORT_MODE: "xlsx" });
  log(line("XLSX:", xlsx));
  if (xlsx.rows !== csv.rows) log(`  ! the workbook has ${xlsx.rows} rows, the CSV ${csv.rows}`);
  return [
    rate("export: reconciliation XLSX rows/s (vs the CSV)", xlsx.rows / (xlsx.ms / 1000), csv.rows / (csv.ms / 1000), "rows/s", { minRatio: 0.4 }),
    ceiling("export: XLSX peak RSS", xlsx.maxRssMb, csv.maxRssMb, "MB", 250),
    ceiling("export: CSV peak RSS (beside the XLSX)", csv.maxRssMb, xlsx.maxRssMb, "MB", 250),
  ];
}
