/**
 * One export measured in a process of its own, so its peak resident memory is its own:
 *   ours  the payout reconciliation CSV through the route's loader (keyset batches, streamed)
 *   copy  COPY (the same rows, one query) TO STDOUT (FORMAT csv) through the same driver
 *   xlsx  the same report as an Excel workbook through the route's loader (rows counted by its audit entry)
 * Prints one JSON line: { rows, bytes, ms, maxRssMb }.
 */
import { register } from "node:module";
import { openPostgres, setDb } from "~db/client.server";

register("./css-hook.mjs", import.meta.url);

const env = process.env as Record<string, string>;
const mode = env.BENCH_EXPORT_MODE;
const url = env.BENCH_EXPORT_URL!;
const from = env.BENCH_EXPORT_FROM!;
const to = env.BENCH_EXPORT_TO!;
const merchantId = env.BENCH_EXPORT_MERCHANT!;

async function drain(stream: AsyncIterable<Uint8Array>): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows++;
  }
  return { rows, bytes };
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The reconciliation report's rows for the payouts arriving in [from, to), as one statement. */
function copyQuery(): string {
  return `COPY (
    select po.id as payout_id, po.expected_arrival_date, lt.id as balance_transaction_id, lt.created_at, lt.available_on,
      lt.currency, lt.gross, lt.fee, lt.net, lt.category as reporting_category, lt.source_id,
      (case when lt.category = 'charge' then coalesce(p.description, lt.description) else lt.description end) as description,
      p.card_brand, p.card_funding, p.card_last4, coalesce(t.name, p.terminal_id) as terminal
    from payouts po
    join payout_items pi on pi.merchant_id = po.merchant_id and pi.payout_id = po.id
    join ledger_transactions lt on lt.merchant_id = pi.merchant_id and lt.id = pi.ledger_transaction_id
    left join refunds r on lt.source_type = 'refund' and r.merchant_id = lt.merchant_id and r.id = lt.source_id
    left join payments p on p.merchant_id = lt.merchant_id and p.id = (case when lt.source_type = 'payment' then lt.source_id else r.payment_id end)
    left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id
    where po.merchant_id = ${literal(merchantId)} and po.expected_arrival_date >= ${literal(from)}::date
      and po.expected_arrival_date < ${literal(to)}::date and lt.category <> 'payout_paid'
    order by po.expected_arrival_date, po.id, pi.ledger_transaction_id
  ) TO STDOUT (FORMAT csv, HEADER)`;
}

// Peak resident memory, sampled: getrusage's maxrss is no good here, since a forked
// child starts with its parent's high-water mark (the benchmark process that just
// generated the ledger) and Linux keeps it across exec.
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 10);

const handle = await openPostgres(url, { max: 4 });
setDb(handle);
let result: { rows: number; bytes: number };
// Loading the app's modules is start-up, not export time.
const { loader } = mode === "copy" ? { loader: null } : await import("~/routes/reports.$report");
const t0 = performance.now();
const cpu0 = process.cpuUsage();
if (mode === "copy" || !loader) {
  const client = (handle.db as unknown as { $client: { unsafe(q: string): { readable(): Promise<AsyncIterable<Uint8Array>> } } }).$client;
  result = await drain(await client.unsafe(copyQuery()).readable());
} else {
  const qs = new URLSearchParams({ arrival_from: from, arrival_to: to });
  const file = mode === "xlsx" ? "payout-reconciliation.xlsx" : "payout-reconciliation.csv";
  const request = new Request(`http://localhost/reports/${file}?${qs}`, {
    headers: { cookie: env.BENCH_EXPORT_COOKIE!, "user-agent": "bench", "x-forwarded-for": "198.51.100.7" },
  });
  const res = (await loader({ request, params: { report: file }, context: {} })) as Response;
  if (res.status !== 200) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
  result = await drain(res.body as unknown as AsyncIterable<Uint8Array>);
  if (mode === "xlsx") {
    // A workbook is zipped: its rows are the ones its audit entry counted (plus the header, as for the others).
    const { sql } = await import("drizzle-orm");
    const [e] = (await handle.db.execute(sql`select (details->>'rows')::int as n from audit_events where action = 'export.download' order by id desc limit 1`)) as unknown as { n: number }[];
    result.rows = (e?.n ?? 0) + 1;
  }
}
const ms = performance.now() - t0;
await handle.close();
// The header row is not a data row.
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
const cpu = process.cpuUsage(cpu0);
// This process's CPU for the export (every thread: zlib's deflate runs on libuv's pool).
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify({ rows: result.rows - 1, bytes: result.bytes, ms, maxRssMb: peakRss / 1024 / 1024, cpuMs }));
process.exit(0);
