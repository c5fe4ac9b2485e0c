/**
 * The write path's CPU per payment (or refund) on one server process, for profiling:
 *   BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" \
 *     node --import tsx tests/bench/write-profile.ts postgres://…/<bench database> [clients] [seconds] [pay|refund|terminal]
 * (terminal: the virtual terminal form as the write section posts it, signed in as the bench user).
 * WC sets the server's processes (default 1); API_VIA_REMIX=1 compares with the API through Remix.
 * COUNT=1: the server talks to PostgreSQL through the write section's counting proxy and the
 * statements and round trips per operation of the measured seconds are printed (use 1 client).
 * The CPU per operation of the app's process and of the database's backends is printed too.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import postgres from "postgres";
import { startServer, processTreeCpu, signInOverHttp } from "./http";
import { backendsCpu, bigMerchantKey, countingProxy, cpuDelta, csrfAndTerminal, postTerminalForm } from "./write";
import { CARD_EXP_YEAR } from "../support/cards";

const url = process.argv[2]!;
const clients = Number(process.argv[3] ?? 20);
const seconds = Number(process.argv[4] ?? 15);
const mode = process.argv[5] ?? "pay";
const sql = postgres(url, { max: 1, onnotice: () => {} });
const { key, currency, card } = await bigMerchantKey(sql, "prof");
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function req(port: number, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { authorization: `Bearer ${key}`, "idempotency-key": crypto.randomUUID(), "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let s = ""; res.on("data", (d) => (s += d)); res.on("end", () => resolve({ status: res.statusCode ?? 0, body: s }));
    });
    r.on("error", reject); r.end(body);
  });
}
const proxy = process.env.COUNT === "1" ? countingProxy({ host: new URL(url).hostname, port: Number(new URL(url).port || 5432) }) : null;
const viaProxy = new URL(url);
if (proxy) {
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(await proxy.listen());
}
const server = await startServer(url, console.log, { WEB_CONCURRENCY: process.env.WC ?? "1", ...(proxy ? { DATABASE_URL: viaProxy.toString() } : {}) });
const ids: string[] = [];
const pay = (i: number) => req(server.port, "/api/v1/payments", JSON.stringify({ amount: String(100000 + i), currency, card: { number: card, exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" }, description: `prof ${i}` }));
const cookie = mode === "terminal" ? await signInOverHttp(server.port) : "";
const form = mode === "terminal" ? await csrfAndTerminal(server.port, cookie) : null;
for (let i = 0; i < 50; i++) { const r = await pay(i); if (r.status === 201) ids.push(JSON.parse(r.body).id); else console.log(r.status, r.body.slice(0, 300)); }
// The app's user and system CPU apart (socket writes are system time).
const userSys = () => { const f = fs.readFileSync(`/proc/${server.child.pid}/stat`, "utf8").split(") ")[1]!.split(" "); return [Number(f[11]) / 100, Number(f[12]) / 100]; };
const us0 = userSys();
const cpu0 = processTreeCpu(server.child.pid!)!;
const dbName = new URL(url).pathname.slice(1);
const db0 = await backendsCpu(sql, dbName);
proxy?.reset();
let ok = 0, bad = 0; const end = Date.now() + seconds * 1000; let next = 0;
await Promise.all(Array.from({ length: clients }, async () => {
  let i = 0;
  while (Date.now() < end) {
    const r = mode === "terminal" ? await postTerminalForm(server.port, cookie, form!, i++) : mode === "refund" ? await req(server.port, `/api/v1/payments/${ids[next++ % ids.length]}/refunds`, JSON.stringify({ amount: "1", reason: "requested_by_customer" })) : await pay(i++);
    if (r.status < 400) { ok++; if (mode === "pay" && ids.length < 5000) ids.push(JSON.parse(r.body).id); } else { bad++; if (bad < 3) console.log(r.status, r.body.slice(0, 300)); }
  }
}));
const cpu1 = processTreeCpu(server.child.pid!)!;
const us1 = userSys();
const db1 = await backendsCpu(sql, dbName);
if (proxy) console.log(`${mode}: ${(proxy.counts.statements / ok).toFixed(2)} statements, ${(proxy.counts.roundTrips / ok).toFixed(2)} round trips per operation (${ok} operations, one server process)`);
console.log(`${mode}: ${ok} ok, ${bad} bad in ${seconds}s = ${(ok / seconds).toFixed(1)}/s; app CPU per op ${(((cpu1 - cpu0) * 1000) / ok).toFixed(2)} ms (user ${(((us1[0]! - us0[0]!) * 1000) / ok).toFixed(2)}, system ${(((us1[1]! - us0[1]!) * 1000) / ok).toFixed(2)}), PostgreSQL backends ${((cpuDelta(db0, db1) * 1000) / ok).toFixed(2)} ms`);
await server.stop();
await proxy?.close();
await sql.end();
process.exit(0);
