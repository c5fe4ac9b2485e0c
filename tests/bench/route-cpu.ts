/**
 * CPU per request of one page through the built Remix handler, in process (no HTTP,
 * no compression): `tsx tests/bench/route-cpu.ts DATABASE PATH [N]` on a bench
 * database kept with --keep. Add --cpu-prof to node to see where it goes.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { openPostgres, setDb } from "~db/client.server";
import { requestScope } from "~/web/request-scope.server";
import { signIn } from "../support/auth";
import { BENCH_USER } from "./merchants";

const [dbName, pagePath = "/", n = "200"] = process.argv.slice(2);
const server = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const url = new URL(server);
url.pathname = `/${dbName}`;
const handle = await openPostgres(url.toString());
setDb(handle);
const session = await signIn(BENCH_USER.email, BENCH_USER.password);
const build = (await import(pathToFileURL(path.resolve("build/index.js")).href)) as ServerBuild;
const remix = createRequestHandler(build, "production");
// Like app/server/main.ts: one request scope per GET.
const handler = (r: Request, ctx: Record<string, unknown>) => requestScope().run(new Map(), () => remix(r, ctx));
const request = () => new Request(`http://localhost${pagePath}`, { headers: { cookie: session.cookie, accept: "text/html", "user-agent": "bench" } });
for (let i = 0; i < 20; i++) await (await handler(request(), { cspNonce: "x" })).text();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let bytes = 0;
for (let i = 0; i < Number(n); i++) {
  const res = await handler(request(), { cspNonce: "x" });
  bytes += (await res.text()).length;
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
}
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(`${pagePath}: ${n} requests, wall ${(wall / Number(n)).toFixed(2)} ms/req, CPU ${((cpu.user + cpu.system) / 1000 / Number(n)).toFixed(2)} ms/req (user ${(cpu.user / 1000 / Number(n)).toFixed(2)}), ${(bytes / Number(n) / 1024).toFixed(1)} KB HTML`);
await handle.close();
process.exit(0);
