/**
 * The write path under load, against what PostgreSQL itself commits on the same server
 * in the same minutes.
 *
 * Ours: the built server (app/server/main.ts, one process per core) taking
 * `POST /api/v1/payments` (sandbox provider, vault, Idempotency-Key, ledger, rollups) with
 * an approving card and a fresh key each, from N keep-alive clients: one merchant at 1, 20
 * and 50 clients, 50 merchants at once (50 clients, one each); refunds of those payments at
 * 20 clients; the virtual terminal form (signed in, CSRF, form key) at 20 clients.
 * Baseline: `pgbench` TPC-B (scale 10, prepared statements) on the same server at the
 * same client counts, each run right before ours, so both see the same machine.
 *
 * Also measured: CPU per payment by process (the app's processes, the database backends
 * serving them; the sandbox provider runs inside the app's processes), statements and
 * round trips per payment (a second server behind a counting proxy, one client), the
 * Overview's p95 idle and while 50 clients write, how long a payment takes to show on
 * the Overview, and, after every load, that the rollups equal the rows they summarise.
 */
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import { processTreeCpu, signInOverHttp, startServer } from "./http";
import { BIG, smallMerchant } from "./merchants";
import { info, latency, percentile, rate, type Metric } from "./stats";
import { CARD_EXP_YEAR } from "../support/cards";

type Log = (m: string) => void;

export interface WriteOptions {
  seconds: number;
  warmupSeconds: number;
  log: Log;
  /** Merchants for the "many merchants" run (small bench merchants 1..n). */
  merchants: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export function request(port: number, method: string, path: string, headers: Record<string, string | number>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

// ---- pgbench ---------------------------------------------------------------------------

function findPgbench(): string | null {
  const candidates = ["pgbench", ...fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").sort().reverse().map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`) : []];
  for (const c of candidates) {
    const r = spawnSync(c, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return c;
  }
  return null;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

interface Pgbench {
  tps(clients: number, seconds: number): Promise<{ tps: number; latencyMs: number } | null>;
  drop(): Promise<void>;
}

async function preparePgbench(serverUrl: string, dbName: string, log: Log): Promise<Pgbench | null> {
  const bin = findPgbench();
  if (!bin) {
    log("  ! pgbench not found (apt-get install postgresql-contrib, or postgresql-client-15): the pgbench baseline is skipped");
    return null;
  }
  const u = new URL(serverUrl);
  const conn = ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username || "postgres")];
  const env: Record<string, string> = u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {};
  const { default: postgres } = await import("postgres");
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const t0 = Date.now();
  const init = await run(bin, [...conn, "-i", "-s", "10", "-q", dbName], env);
  if (init.code !== 0) {
    log(`  ! pgbench -i failed: ${init.out.slice(-500)}`);
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    return null;
  }
  log(`  pgbench: ${bin}, TPC-B scale 10 initialised in ${((Date.now() - t0) / 1000).toFixed(1)} s (database ${dbName})`);
  return {
    async tps(clients, seconds) {
      const r = await run(bin, [...conn, "-n", "-M", "prepared", "-c", String(clients), "-j", String(Math.min(clients, 2)), "-T", String(seconds), dbName], env);
      const tps = /tps = ([0-9.]+) \((without|excluding)/.exec(r.out);
      const lat = /latency average = ([0-9.]+) ms/.exec(r.out);
      if (r.code !== 0 || !tps) {
        log(`  ! pgbench -c ${clients} failed: ${r.out.slice(-400)}`);
        return null;
      }
      return { tps: Number(tps[1]), latencyMs: lat ? Number(lat[1]) : NaN };
    },
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await admin.end({ timeout: 2 });
    },
  };
}

// ---- database CPU ------------------------------------------------------------------------

/** CPU seconds so far of every backend connected to the database (root or the postgres user can read /proc). */
export async function backendsCpu(admin: { unsafe(q: string): Promise<unknown[]> }, dbName: string): Promise<Map<number, number>> {
  const rows = (await admin.unsafe(`select pid from pg_stat_activity where datname = '${dbName}' and pid <> pg_backend_pid()`)) as { pid: number }[];
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(pid, (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // gone, or another machine's server: not measurable from here
    }
  }
  return out;
}

export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
  return sum;
}

// ---- the counting proxy -------------------------------------------------------------------

/**
 * A TCP proxy in front of PostgreSQL that reads the frontend protocol: statements are
 * Query and Execute messages, round trips are the times the client speaks again after
 * the server has answered (pipelined messages sent together are one trip).
 */
export function countingProxy(target: { host: string; port: number }) {
  const counts = { statements: 0, roundTrips: 0, messages: new Map<string, number>() };
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect(target.port, target.host);
    upstream.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let started = false;
    let serverSpoke = true;
    client.on("data", (d: Buffer) => {
      if (serverSpoke) {
        counts.roundTrips++;
        serverSpoke = false;
      }
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          const code = buf.readInt32BE(4);
          if (buf.length < len) break;
          buf = buf.subarray(len);
          if (code !== 80877103) started = true; // SSLRequest is followed by the real startup
          continue;
        }
        if (buf.length < 5) break;
        const type = String.fromCharCode(buf[0]!);
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) break;
        buf = buf.subarray(len + 1);
        counts.messages.set(type, (counts.messages.get(type) ?? 0) + 1);
        if (type === "Q" || type === "E") counts.statements++;
      }
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      serverSpoke = true;
      client.write(d);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  });
  return {
    counts,
    listen: () =>
      new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    reset() {
      counts.statements = 0;
      counts.roundTrips = 0;
      counts.messages.clear();
    },
  };
}

// ---- the load ---------------------------------------------------------------------------

interface Account {
  merchantId: string;
  key: string;
  currency: string;
  card: string;
}

type Sql = import("postgres").Sql;

/** An API key of its own on a merchant's api terminal, and the test card of its currency: what a bench client pays with. */
export async function addApiKey(sql: Sql, r: { merchant_id: string; terminal_id: string; currency: string }, label: string): Promise<Account> {
  const key = `sk_test_${label}_${crypto.randomBytes(8).toString("hex")}`;
  await sql`insert into api_keys (key_hash, merchant_id, terminal_id) values (${crypto.createHash("sha256").update(key).digest("hex")}, ${r.merchant_id}, ${r.terminal_id})`;
  const currency = r.currency.trim();
  return { merchantId: r.merchant_id, key, currency, card: currency === "IRR" ? "6037990000000006" : "4242424242424242" };
}

/** addApiKey on the big merchant's first active api terminal. */
export async function bigMerchantKey(sql: Sql, label: string): Promise<Account> {
  const [t] = await sql<{ merchant_id: string; terminal_id: string; currency: string }[]>`
    select t.merchant_id, t.id as terminal_id, m.currency from terminals t join merchants m on m.id = t.merchant_id
    where t.merchant_id = ${BIG.id} and t.kind = 'api' and t.status = 'active' order by t.id limit 1`;
  if (!t) throw new Error(`${BIG.id} has no active api terminal`);
  return addApiKey(sql, t, label);
}

interface LoadResult {
  ok: number;
  errors: number;
  statuses: Map<number, number>;
  ms: number[];
  elapsed: number;
  appCpu: number | null;
  dbCpu: number;
  clientCpu: number;
  firstError: string | null;
}

interface LoadContext {
  port: number;
  serverPid: number | undefined;
  admin: { unsafe(q: string): Promise<unknown[]> };
  dbName: string;
}

/** N clients, each calling `one(client, i)` again and again for `seconds`; 2xx/3xx count as done. */
async function load(ctx: LoadContext, clients: number, seconds: number, one: (client: number, i: number) => Promise<Reply>, during?: () => Promise<void>): Promise<LoadResult> {
  const ms: number[] = [];
  const statuses = new Map<number, number>();
  let ok = 0;
  let errors = 0;
  let firstError: string | null = null;
  const app0 = ctx.serverPid ? processTreeCpu(ctx.serverPid) : null;
  const db0 = await backendsCpu(ctx.admin, ctx.dbName);
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  const side = during ? during() : Promise.resolve();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      let i = 0;
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const r = await one(c, i++);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status >= 200 && r.status < 400) ok++;
          else {
            errors++;
            firstError ??= `HTTP ${r.status} ${r.body.slice(0, 300)}`;
          }
        } catch (e) {
          errors++;
          firstError ??= String(e);
        }
        ms.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const app1 = ctx.serverPid ? processTreeCpu(ctx.serverPid) : null;
  const db1 = await backendsCpu(ctx.admin, ctx.dbName);
  await side;
  return {
    ok,
    errors,
    statuses,
    ms,
    elapsed,
    appCpu: app0 !== null && app1 !== null ? app1 - app0 : null,
    dbCpu: cpuDelta(db0, db1),
    clientCpu: (cpu.user + cpu.system) / 1e6,
    firstError,
  };
}

function describe(label: string, r: LoadResult, unit: string, log: Log): { perSec: number; p50: number; p99: number } {
  const perSec = r.ok / r.elapsed;
  const p50 = percentile(r.ms, 50);
  const p99 = percentile(r.ms, 99);
  const per = (s: number | null) => (s === null || r.ok === 0 ? "?" : ((s * 1000) / r.ok).toFixed(2));
  log(
    `  ${label}: ${r.ok} ${unit} in ${r.elapsed.toFixed(1)} s, ${perSec.toFixed(1)}/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${r.errors} errors; ` +
      `CPU per ${unit.replace(/s$/, "")}: app ${per(r.appCpu)} ms, PostgreSQL backends ${per(r.dbCpu)} ms, load generator ${per(r.clientCpu)} ms`,
  );
  if (r.errors) log(`  ! ${r.errors} failed (${[...r.statuses].map(([s, n]) => `${s}: ${n}`).join(", ")}); first: ${r.firstError}`);
  return { perSec, p50, p99 };
}

function paymentBody(a: Account, i: number): string {
  return JSON.stringify({
    amount: String(100_000 + (i % 997) * 1000),
    currency: a.currency,
    card: { number: a.card, exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" },
    description: `bench ${i}`,
  });
}

function postPayment(port: number, a: Account, i: number, ids?: string[]): Promise<Reply> {
  const body = paymentBody(a, i);
  return request(
    port,
    "POST",
    "/api/v1/payments",
    {
      authorization: `Bearer ${a.key}`,
      "idempotency-key": crypto.randomUUID(),
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    },
    body,
  ).then((r) => {
    if (ids && r.status === 201) ids.push((JSON.parse(r.body) as { id: string }).id);
    return r;
  });
}

function postRefund(port: number, a: Account, paymentId: string): Promise<Reply> {
  const body = JSON.stringify({ amount: "1000", reason: "requested_by_customer" });
  return request(
    port,
    "POST",
    `/api/v1/payments/${paymentId}/refunds`,
    {
      authorization: `Bearer ${a.key}`,
      "idempotency-key": crypto.randomUUID(),
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    },
    body,
  );
}

/** API keys for the big merchant and the first `n` small ones (one api terminal each). */
async function createAccounts(url: string, n: number): Promise<{ big: Account; many: Account[] }> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const ids = [BIG.id, ...Array.from({ length: n }, (_, i) => smallMerchant(i + 1).id)];
    const rows = await sql<{ merchant_id: string; terminal_id: string; currency: string }[]>`
      select distinct on (t.merchant_id) t.merchant_id, t.id as terminal_id, m.currency
      from terminals t join merchants m on m.id = t.merchant_id
      where t.merchant_id in ${sql(ids)} and t.kind = 'api' and t.status = 'active' and m.status = 'active'
      order by t.merchant_id, t.id`;
    const accounts = new Map<string, Account>();
    for (const r of rows) accounts.set(r.merchant_id, await addApiKey(sql, r, `bench_${r.merchant_id}`));
    const big = accounts.get(BIG.id);
    if (!big) throw new Error(`${BIG.id} has no active api terminal`);
    return { big, many: ids.slice(1).map((id) => accounts.get(id)).filter((a): a is Account => !!a) };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

export async function csrfAndTerminal(port: number, cookie: string): Promise<{ csrf: string; terminal: string }> {
  const r = await request(port, "GET", "/terminal", { cookie, accept: "text/html" });
  const csrf = /name="_csrf"[^>]*value="([^"]+)"/.exec(r.body)?.[1] ?? /value="([^"]+)"[^>]*name="_csrf"/.exec(r.body)?.[1];
  const terminal = /name="(?:md_)?terminal"[^>]*value="([^"]+)"/.exec(r.body)?.[1] ?? /<option[^>]*value="(term_[^"]+)"/.exec(r.body)?.[1];
  if (r.status !== 200 || !csrf || !terminal) throw new Error(`/terminal: HTTP ${r.status}, no CSRF token or terminal in the form`);
  return { csrf, terminal };
}

/** As the page's script does: the card goes to the provider's tokenization endpoint, only the token to /terminal. */
export async function postTerminalForm(port: number, cookie: string, form: { csrf: string; terminal: string }, i: number): Promise<Reply> {
  const card = JSON.stringify({ number: "6037990000000006", exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" });
  const tok = await request(port, "POST", "/sandbox/v1/tokens", { "content-type": "application/json", "content-length": Buffer.byteLength(card) }, card);
  const token = (JSON.parse(tok.body) as { id?: string }).id ?? "";
  const body = new URLSearchParams({
    _csrf: form.csrf,
    key: crypto.randomUUID(),
    terminal: form.terminal,
    amount: String(100_000 + (i % 997) * 1000),
    token,
    description: `bench form ${i}`,
    customerReference: "",
  }).toString();
  return request(
    port,
    "POST",
    "/terminal",
    {
      cookie,
      origin: `http://127.0.0.1:${port}`,
      "content-type": "application/x-www-form-urlencoded",
      "content-length": Buffer.byteLength(body),
      "user-agent": "bench",
    },
    body,
  );
}

async function overviewCount(port: number, cookie: string): Promise<number> {
  const r = await request(port, "GET", "/?_data=routes%2F_app._index", { cookie, accept: "application/json" });
  if (r.status !== 200) throw new Error(`Overview data: HTTP ${r.status}`);
  const data = JSON.parse(r.body) as { kpis: { capturedCount: { current: number } } };
  return Number(data.kpis.capturedCount.current);
}

/** Sequential Overview page views (HTML, as a browser asks) for `seconds`, or until `until()`. */
export async function overviewViews(port: number, cookie: string, seconds: number): Promise<number[]> {
  const ms: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    const r = await request(port, "GET", "/", { cookie, accept: "text/html", "accept-encoding": "gzip" });
    if (r.status !== 200) throw new Error(`Overview: HTTP ${r.status}`);
    ms.push(performance.now() - t0);
  }
  return ms;
}

// ---- the section ---------------------------------------------------------------------------

export async function benchWrite(serverUrl: string, benchUrl: string, opts: WriteOptions): Promise<Metric[]> {
  const { log } = opts;
  const dbName = new URL(benchUrl).pathname.slice(1);
  const out: Metric[] = [];
  const { default: postgres } = await import("postgres");
  const admin = postgres(benchUrl, { max: 1, onnotice: () => {} });
  const pgbench = await preparePgbench(serverUrl, `${dbName}_pgbench`.slice(0, 63), log);
  const accounts = await createAccounts(benchUrl, opts.merchants);
  if (accounts.many.length < opts.merchants) log(`  (${accounts.many.length} small merchants with an API terminal for the many-merchants run)`);
  const secs = opts.seconds;
  const base: Record<number, number | null> = {};
  const baseline = async (clients: number) => {
    if (!pgbench) return null;
    const r = await pgbench.tps(clients, secs);
    if (r) log(`  pgbench TPC-B, ${clients} client${clients > 1 ? "s" : ""}: ${r.tps.toFixed(0)} transactions/s, latency average ${r.latencyMs.toFixed(2)} ms`);
    base[clients] = r?.tps ?? null;
    return r?.tps ?? null;
  };

  try {
    // 1. Statements and round trips per operation: a server of one process behind the counting proxy, one client.
    {
      const target = new URL(benchUrl);
      const proxy = countingProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const proxyPort = await proxy.listen();
      const viaProxy = new URL(benchUrl);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxyPort);
      const server = await startServer(benchUrl, log, { DATABASE_URL: viaProxy.toString(), WEB_CONCURRENCY: "1" });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 30; i++) await postPayment(server.port, accounts.big, i, ids); // warm: prepared statements, caches
        const n = 100;
        proxy.reset();
        for (let i = 0; i < n; i++) await postPayment(server.port, accounts.big, i, ids);
        const pay = { ...proxy.counts };
        const detail = [...proxy.counts.messages].sort().map(([t, c]) => `${t} ${(c / n).toFixed(1)}`).join(", ");
        log(`  per payment (1 client, ${n} payments): ${(pay.statements / n).toFixed(1)} statements, ${(pay.roundTrips / n).toFixed(1)} round trips to PostgreSQL (messages per payment: ${detail})`);
        out.push(info("write: statements per API payment", pay.statements / n, "statements"));
        out.push(info("write: round trips per API payment", pay.roundTrips / n, "round trips"));
        proxy.reset();
        const m = Math.min(50, ids.length);
        for (let i = 0; i < m; i++) await postRefund(server.port, accounts.big, ids[i]!);
        log(`  per refund (1 client, ${m} refunds): ${(proxy.counts.statements / m).toFixed(1)} statements, ${(proxy.counts.roundTrips / m).toFixed(1)} round trips`);
        out.push(info("write: statements per API refund", proxy.counts.statements / m, "statements"));
        out.push(info("write: round trips per API refund", proxy.counts.roundTrips / m, "round trips"));
      } finally {
        await server.stop();
        await proxy.close();
      }
    }

    // 2. The load, one process per core, as in production.
    const server = await startServer(benchUrl, log);
    const ctx: LoadContext = { port: server.port, serverPid: server.child.pid, admin, dbName };
    try {
      const cookie = await signInOverHttp(server.port);
      const ids: string[] = [];
      if (opts.warmupSeconds > 0) {
        const w = await load(ctx, 20, opts.warmupSeconds, (_c, i) => postPayment(server.port, accounts.big, i, ids));
        log(`  warm-up (not counted): ${w.ok} payments in ${w.elapsed.toFixed(1)} s, ${(w.ok / w.elapsed).toFixed(1)}/s, ${w.errors} errors`);
      }
      // Overview idle (nothing writes).
      const idle = await overviewViews(server.port, cookie, Math.max(3, Math.min(secs, 8)));
      const idleP95 = percentile(idle, 95);
      log(`  Overview idle: ${idle.length} views, p50 ${percentile(idle, 50).toFixed(1)} ms, p95 ${idleP95.toFixed(1)} ms`);

      const oneMerchant: Record<number, number> = {};
      for (const clients of [1, 20, 50]) {
        const b = await baseline(clients);
        let readMs: number[] = [];
        const lags: number[] = [];
        const during =
          clients === 50
            ? async () => {
                // The Overview read by one person while 50 clients write, and how soon it shows what was paid.
                const start = await overviewCount(server.port, cookie);
                const end = performance.now() + secs * 1000;
                await Promise.all([
                  overviewViews(server.port, cookie, secs * 0.9).then((v) => (readMs = v)),
                  (async () => {
                    while (performance.now() < end - 1500) {
                      await new Promise((r) => setTimeout(r, 400));
                      const doneBy = okSoFar;
                      const t = performance.now();
                      for (;;) {
                        const seen = await overviewCount(server.port, cookie);
                        if (seen - start >= doneBy) break;
                        if (performance.now() - t > 5000) break;
                      }
                      lags.push(performance.now() - t);
                    }
                  })(),
                ]);
              }
            : undefined;
        let okSoFar = 0;
        const r = await load(
          ctx,
          clients,
          secs,
          (_c, i) =>
            postPayment(server.port, accounts.big, i, ids).then((x) => {
              if (x.status === 201) okSoFar++;
              return x;
            }),
          during,
        );
        const d = describe(`payments, one merchant, ${clients} client${clients > 1 ? "s" : ""}`, r, "payments", log);
        oneMerchant[clients] = d.perSec;
        out.push(
          rate(`write: API payments/s, one merchant, ${clients} clients (pgbench tps)`, d.perSec, b, "/s", clients === 50 ? { minRatio: 0.25 } : {}),
        );
        out.push(info(`write: API payment p50, ${clients} clients`, d.p50, "ms"));
        out.push(latency(`write: API payment p99, ${clients} clients`, d.p99, null, clients === 20 ? 150 : null));
        if (r.ok) {
          out.push(info(`write: CPU per payment, app processes (${clients} clients)`, ((r.appCpu ?? NaN) * 1000) / r.ok, "ms"));
          out.push(info(`write: CPU per payment, PostgreSQL backends (${clients} clients)`, (r.dbCpu * 1000) / r.ok, "ms"));
        }
        if (clients === 50) {
          const p95 = percentile(readMs, 95);
          log(`  Overview while 50 clients write: ${readMs.length} views, p50 ${percentile(readMs, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (idle ${idleP95.toFixed(1)} ms)`);
          out.push(latency("write: Overview p95 while 50 clients write (idle p95)", p95, idleP95 * 2, null, 1));
          const lagMax = lags.length ? Math.max(...lags) : NaN;
          log(`  a payment shows on the Overview within: p50 ${percentile(lags, 50).toFixed(0)} ms, max ${lagMax.toFixed(0)} ms (${lags.length} probes)`);
          out.push(latency("write: a payment shows on the Overview within (max)", lagMax, null, 1000));
        }
      }

      // 50 merchants at once: 50 clients, one merchant each.
      if (accounts.many.length > 1) {
        const n = accounts.many.length;
        const r = await load(ctx, n, secs, (c, i) => postPayment(server.port, accounts.many[c % n]!, i));
        const d = describe(`payments, ${n} merchants at once, ${n} clients`, r, "payments", log);
        out.push(rate(`write: API payments/s, ${n} merchants at once (one merchant, 50 clients)`, d.perSec, oneMerchant[50] ?? null, "/s", { minRatio: 1 }));
        out.push(info(`write: API payment p99, ${n} merchants`, d.p99, "ms"));
      }

      // Refunds at 20 clients, each of another payment (a payment's refunds queue on its row, as they must).
      {
        const b = base[20] ?? null;
        let next = 0;
        const r = await load(ctx, 20, secs, () => postRefund(server.port, accounts.big, ids[next++ % ids.length]!));
        const d = describe("refunds, one merchant, 20 clients", r, "refunds", log);
        out.push(rate("write: API refunds/s, 20 clients (pgbench tps)", d.perSec, b, "/s", { minRatio: 0.25 }));
        out.push(latency("write: API refund p99, 20 clients", d.p99, null, 150));
      }

      // The virtual terminal form at 20 clients (one signed-in user, a fresh form key each).
      {
        const form = await csrfAndTerminal(server.port, cookie);
        const r = await load(ctx, 20, secs, (_c, i) => postTerminalForm(server.port, cookie, form, i));
        const d = describe("virtual terminal form, 20 clients", r, "payments", log);
        out.push(rate("write: virtual terminal payments/s, 20 clients (pgbench tps)", d.perSec, base[20] ?? null, "/s"));
        out.push(info("write: virtual terminal p99, 20 clients", d.p99, "ms"));
      }
    } finally {
      await server.stop();
    }

    // 3. The events the load wrote are numbered by the publisher (the workers' poll does it in
    // production; the bench's server runs no workers): what that costs per event, off the
    // write path, and that every merchant's numbers are then 1..N without a gap.
    {
      const [{ numbering }] = (await admin.unsafe(
        `select exists (select 1 from information_schema.columns where table_name = 'events' and column_name = 'gid') as numbering`,
      )) as [{ numbering: boolean }];
      if (numbering) {
        // The publisher is the app's own code: it runs on an app pool of the bench database.
        const { openPostgres, setDb } = await import("~db/client.server");
        const { publishAllEvents } = await import("~/modules/events/events.server");
        const handle = await openPostgres(benchUrl, { max: 2 });
        setDb(handle);
        let n = 0;
        let ms = 0;
        try {
          const started = performance.now();
          n = await publishAllEvents();
          ms = performance.now() - started;
        } finally {
          await handle.close();
          setDb(undefined);
        }
        log(`  events numbered by the publisher after the load: ${n} in ${ms.toFixed(0)} ms (${n ? (ms / n).toFixed(3) : "—"} ms per event, one caller)`);
        out.push(info("write: publisher's time per event numbered (one caller, after the load)", n ? ms / n : 0, "ms"));
        const [{ bad }] = (await admin.unsafe(
          `select count(*)::int as bad from (select merchant_id, count(*) as n, min(seq) as lo, max(seq) as hi, count(seq) as numbered
             from events group by merchant_id) x
           left join event_sequences s using (merchant_id)
           where numbered <> n or lo <> 1 or hi <> n or coalesce(s.last_seq, 0) <> n`,
        )) as [{ bad: number }];
        log(bad === 0 ? "  events after the load: every merchant's are numbered 1..N without a gap" : `  ! events after the load: ${bad} merchant(s) with unnumbered events or gaps`);
        out.push({ name: "write: merchants whose events are not numbered 1..N after the load", ours: bad, baseline: null, ratio: null, unit: "merchants", target: "= 0", pass: bad === 0 });
      }
    }

    // 4. Every rollup equals the rows it summarises, after all of that.
    const [{ present }] = (await admin.unsafe(`select to_regproc('rollup_discrepancies') is not null as present`)) as [{ present: boolean }];
    if (!present) {
      log("  ! this schema has no rollup_discrepancies(): the rollups are not compared");
      return out;
    }
    const problems = (await admin.unsafe(`select * from rollup_discrepancies(null)`)) as Record<string, unknown>[];
    log(
      problems.length === 0
        ? "  rollups after the write load: every rollup row equals its rebuild from the rows"
        : `  ! rollups after the write load: ${problems.length} differences, e.g. ${JSON.stringify(problems.slice(0, 3))}`,
    );
    out.push({ name: "write: rollup rows that differ from the rows after the load", ours: problems.length, baseline: null, ratio: null, unit: "rows", target: "= 0", pass: problems.length === 0 });
  } finally {
    await pgbench?.drop();
    await admin.end({ timeout: 2 });
  }
  return out;
}
