/**
 * The built server under load: app/server/main.ts on the bench database (no seeding,
 * no scheduler), a demo user signed in through the real login form, then N clients
 * each requesting a page again and again (keep-alive, gzip like a browser) for a fixed
 * time: requests per second, p50 and p99 of complete responses.
 *
 * Each page is first put under the same load for a few seconds that are not counted
 * (--warmup): a server that has just started compiles its code during its first
 * seconds of traffic, and a server in use has long done that. What those seconds
 * looked like is printed too.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { BENCH_USER } from "./merchants";
import { info, latency, percentile, type Metric } from "./stats";
import { freePort } from "../support/ports";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the app when there is no build or app/ changed since (a stale build would measure old code). */
export function ensureBuild(log: (m: string) => void, force: boolean): void {
  const built = path.resolve("build/index.js");
  const stale = !fs.existsSync(built) || newestMtime(path.resolve("app")) > fs.statSync(built).mtimeMs;
  if (!force && !stale) return;
  log(force ? "Building the app (--build)…" : "The build is missing or older than app/: building it…");
  const r = spawnSync("npx", ["remix", "build"], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`remix build failed:\n${r.stdout}\n${r.stderr}`);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(port: number, pathName: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: pathName, method: "GET", headers, agent }, (res) => {
      let bytes = 0;
      res.on("data", (d: Buffer) => (bytes += d.length));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, headers: res.headers }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function post(port: number, pathName: string, form: Record<string, string>, headers: Record<string, string>) {
  const body = new URLSearchParams(form).toString();
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: pathName,
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) },
        agent,
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function startServer(url: string, log: (m: string) => void, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const port = await freePort();
  // BENCH_SERVER_NODE_OPTIONS: extra node flags for the server (e.g. --cpu-prof to see where a request goes).
  const extra = (process.env.BENCH_SERVER_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...extra, "--import", "tsx", "app/server/main.ts"], {
    env: { ...process.env, DATABASE_URL: process.env.BENCH_SERVER_DATABASE_URL?.replace("{db}", new URL(url).pathname.slice(1)) ?? url, SEED_ON_START: "0", SCHEDULER: "0", PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output.slice(-2000)}`);
    try {
      const r = await get(port, "/login", {});
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the server did not answer within 2 minutes:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`  server up on port ${port} (pid ${child.pid})`);
  return {
    child,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

export async function signInOverHttp(port: number): Promise<string> {
  const origin = `http://127.0.0.1:${port}`;
  const r = await post(port, "/login", { intent: "password", email: BENCH_USER.email, password: BENCH_USER.password, redirectTo: "/" }, { origin, "user-agent": "bench" });
  const setCookie = ([] as string[]).concat(r.headers["set-cookie"] ?? []);
  const session = setCookie.map((c) => c.split(";")[0]!).find((c) => /session/i.test(c) && !c.endsWith("="));
  if (r.status !== 302 || !session) throw new Error(`sign-in failed: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  return session;
}

/** CPU seconds used so far by a process and its children (the server's workers), from /proc; null elsewhere. */
export function processTreeCpu(pid: number): number | null {
  try {
    const ticks = (p: number): number => {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      let sum = Number(fields[11]) + Number(fields[12]); // utime, stime
      for (const task of fs.readdirSync(`/proc/${p}/task`)) {
        const children = fs.readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim();
        for (const c of children ? children.split(" ") : []) sum += ticks(Number(c));
      }
      return sum;
    };
    return ticks(pid) / 100; // USER_HZ
  } catch {
    return null;
  }
}

async function load(port: number, pathName: string, cookie: string, clients: number, seconds: number, serverPid?: number) {
  const headers = { cookie, "accept-encoding": "gzip, deflate, br", accept: "text/html", "user-agent": "bench" };
  const first = await get(port, pathName, headers);
  if (first.status !== 200) throw new Error(`${pathName}: HTTP ${first.status}`);
  const ms: number[] = [];
  let errors = 0;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const serverCpu0 = serverPid ? processTreeCpu(serverPid) : null;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const r = await get(port, pathName, headers);
          if (r.status !== 200) errors++;
          bytes += r.bytes;
        } catch {
          errors++;
        }
        ms.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu1 = serverPid ? processTreeCpu(serverPid) : null;
  return {
    /** CPU milliseconds the server's processes spent per request (the database's own CPU not included). */
    serverCpuPerRequest: serverCpu0 !== null && serverCpu1 !== null && ms.length ? ((serverCpu1 - serverCpu0) * 1000) / ms.length : null,
    /** Share of one core the load generator itself used (it runs on the same machine). */
    clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
    rps: ms.length / elapsed,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    errors,
    count: ms.length,
    encoding: String(first.headers["content-encoding"] ?? "none"),
    avgBytes: ms.length ? bytes / ms.length : 0,
  };
}

export async function benchHttp(url: string, opts: { clients: number; seconds: number; warmupSeconds: number; log: (m: string) => void }): Promise<Metric[]> {
  const server = await startServer(url, opts.log);
  const out: Metric[] = [];
  try {
    const cookie = await signInOverHttp(server.port);
    for (const [label, pathName, target] of [
      ["Overview", "/", 250],
      ["payments page", "/payments", null],
    ] as const) {
      if (opts.warmupSeconds > 0) {
        const w = await load(server.port, pathName, cookie, opts.clients, opts.warmupSeconds);
        opts.log(
          `  ${label}, warm-up (not counted): ${w.count} requests in ${opts.warmupSeconds} s, ${w.rps.toFixed(1)}/s, p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms, ${w.errors} errors`,
        );
      }
      const r = await load(server.port, pathName, cookie, opts.clients, opts.seconds, server.child.pid);
      opts.log(
        `  ${label}: ${r.count} requests in ${opts.seconds} s from ${opts.clients} clients, ${r.rps.toFixed(1)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors, ${r.encoding} ${(r.avgBytes / 1024).toFixed(1)} KB each; ` +
          `${r.serverCpuPerRequest === null ? "" : `the server used ${r.serverCpuPerRequest.toFixed(1)} ms of CPU per request, `}the load generator ${Math.round(r.clientCpu * 100)}% of a core`,
      );
      if (r.errors) opts.log(`  ! ${r.errors} requests failed`);
      out.push(info(`HTTP ${label}: requests/s (${opts.clients} clients)`, r.rps, "req/s"));
      out.push(info(`HTTP ${label}: p50`, r.p50, "ms"));
      out.push(latency(`HTTP ${label}: p99`, r.p99, null, target));
    }
  } finally {
    await server.stop();
  }
  return out;
}
