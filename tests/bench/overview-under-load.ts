/**
 * The Overview under a write load, for comparing server configurations (or two checkouts)
 * side by side in the same minutes:
 *   node --import tsx tests/bench/overview-under-load.ts postgres://…/<bench database> [rounds] [seconds] \
 *     '{"label":"base","dir":"/path/to/other/checkout"}' '{"label":"pool 20","env":{"DATABASE_POOL_SIZE":"20"}}' …
 * Each round starts every configuration's server in turn (one process per core unless its env
 * says otherwise), warms it, then measures the Overview (HTML, one reader) idle and while
 * 50 API clients write one merchant, with the writes' rate and p99. `dir` runs the server of
 * another checkout (its own build). Prints one line per configuration and round.
 */
import crypto from "node:crypto";
import postgres from "postgres";
import { signInOverHttp, startServer } from "./http";
import { percentile } from "./stats";
import { bigMerchantKey, overviewViews, request } from "./write";
import { CARD_EXP_YEAR } from "../support/cards";

const url = process.argv[2]!;
const rounds = Number(process.argv[3] ?? 2);
const seconds = Number(process.argv[4] ?? 6);
const configs = process.argv.slice(5).map((s) => JSON.parse(s) as { label: string; dir?: string; env?: Record<string, string> });
if (configs.length === 0) configs.push({ label: "this checkout" });
const home = process.cwd();

const sql = postgres(url, { max: 1, onnotice: () => {} });
const { key, currency, card } = await bigMerchantKey(sql, "ovl");
await sql.end();
const req = request;
function pay(port: number, i: number) {
  const body = JSON.stringify({ amount: String(100000 + i), currency, card: { number: card, exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" }, description: `ovl ${i}` });
  return req(port, "POST", "/api/v1/payments", { authorization: `Bearer ${key}`, "idempotency-key": crypto.randomUUID(), "content-type": "application/json", "content-length": Buffer.byteLength(body) }, body);
}
const views = overviewViews;

for (let round = 1; round <= rounds; round++) {
  for (const c of configs) {
    process.chdir(c.dir ?? home);
    const server = await startServer(url, () => {}, c.env ?? {});
    process.chdir(home);
    try {
      const cookie = await signInOverHttp(server.port);
      let i = 0;
      for (let k = 0; k < 40; k++) await Promise.all(Array.from({ length: 5 }, () => pay(server.port, i++)));
      await views(server.port, cookie, 1);
      const idle = await views(server.port, cookie, Math.max(3, seconds / 2));
      const ms: number[] = [];
      let ok = 0;
      let bad = 0;
      const end = performance.now() + seconds * 1000;
      let loaded: number[] = [];
      const t0 = performance.now();
      await Promise.all([
        ...Array.from({ length: 50 }, async () => {
          while (performance.now() < end) {
            const s = performance.now();
            const r = await pay(server.port, i++).catch(() => ({ status: 0, body: "" }));
            ms.push(performance.now() - s);
            if (r.status === 201) ok++;
            else bad++;
          }
        }),
        (async () => {
          await new Promise((r) => setTimeout(r, 300));
          loaded = await views(server.port, cookie, seconds * 0.85);
        })(),
      ]);
      const elapsed = (performance.now() - t0) / 1000;
      console.log(
        `round ${round} ${c.label.padEnd(16)} Overview idle p50 ${percentile(idle, 50).toFixed(1)} p95 ${percentile(idle, 95).toFixed(1)} ms | under 50 writers p50 ${percentile(loaded, 50).toFixed(1)} p95 ${percentile(loaded, 95).toFixed(1)} ms (${loaded.length} views) | ` +
          `writes ${(ok / elapsed).toFixed(1)}/s p50 ${percentile(ms, 50).toFixed(0)} p99 ${percentile(ms, 99).toFixed(0)} ms, ${bad} failed`,
      );
    } finally {
      await server.stop();
    }
  }
}
process.exit(0);
