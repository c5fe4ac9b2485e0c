/**
 * The import graph of app/ and db/, read from the source: no cycles, and no arrow
 * pointing up the house.
 *
 *   app/lib            pure code anyone may import; imports only lib
 *   app/components     presentational React: components and lib
 *   db/                schema, client, migrations: db and lib (the enums are made from lib/vocabulary)
 *   app/modules        the domain: modules, lib, db. Never the web edge, routes or React
 *   app/web            the edge (guard, form actions, API, sandbox HTTP): web, modules, lib and the
 *                      database handle (db/client.server) it passes to the domain; no schema, no SQL
 *   app/routes         Remix's files of the URLs (and root/entry): anything but db/ and app/server
 *   app/demo           the demo and benchmark generator: demo, modules (the domain's pure rules), lib, db
 *   app/server         the process (express, jobs): anything
 *
 * Type-only imports count as arrows too, with one exception: a component may take its
 * route's loader data type (`import type`, erased at build time), as Remix's typed fetchers
 * do. Cycles are looked for in the runtime graph (type-only imports left out).
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { repoRoot as root, sourceFiles } from "../../support/source-files";


type Layer = "lib" | "components" | "db" | "demo" | "modules" | "web" | "routes" | "server" | "styles" | "other";

function layerOf(rel: string): Layer {
  if (rel.startsWith("app/lib/")) return "lib";
  if (rel.startsWith("app/components/")) return "components";
  if (rel.startsWith("app/demo/")) return "demo";
  if (rel.startsWith("db/")) return "db";
  if (rel.startsWith("app/modules/")) return "modules";
  if (rel.startsWith("app/web/")) return "web";
  if (rel.startsWith("app/routes/") || /^app\/(root|entry\.client|entry\.server)\.tsx$/.test(rel)) return "routes";
  if (rel.startsWith("app/server/")) return "server";
  if (rel.startsWith("app/styles/")) return "styles";
  return "other";
}

const ALLOWED: Record<Layer, Layer[]> = {
  lib: ["lib"],
  components: ["components", "lib", "styles"],
  db: ["db", "lib"],
  // The demo and benchmark generator: it writes the rows the domain would, by the domain's own rules.
  demo: ["demo", "modules", "db", "lib"],
  modules: ["modules", "lib", "db"],
  web: ["web", "modules", "lib", "db"],
  routes: ["routes", "web", "modules", "lib", "components", "styles"],
  server: ["server", "routes", "web", "modules", "lib", "db", "demo", "components", "styles"],
  styles: [],
  other: ["other", "lib"],
};

/** The web edge may hold the database handle to pass to domain functions, never the schema. */
const WEB_DB_FILES = new Set(["db/client.server.ts"]);

/** Arrows still to be removed: none. A new arrow up fails the test. */
const PENDING: string[] = [];

function resolve(from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith("~db/")) base = path.join("db", spec.slice(4));
  else if (spec.startsWith("~/")) base = path.join("app", spec.slice(2));
  else if (spec.startsWith(".")) base = path.join(path.dirname(from), spec);
  else return null;
  for (const ext of ["", ".ts", ".tsx", "/index.ts", "/index.tsx"]) {
    const p = base + ext;
    if (fs.existsSync(path.join(root, p)) && fs.statSync(path.join(root, p)).isFile()) return p.split(path.sep).join("/");
  }
  return null;
}

const code = (dir: string) => sourceFiles(dir, (name) => /\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts"));
const files = [...code("app"), ...code("db")];
/** Runtime imports only. */
const graph = new Map<string, string[]>();
/** Every import, type-only ones included. */
const typeGraph = new Map<string, string[]>();
for (const f of files) {
  const src = fs.readFileSync(path.join(root, f), "utf8");
  const info = ts.preProcessFile(src, true, true);
  const all = info.importedFiles.map((i) => i.fileName);
  // A specifier is type-only when every statement naming it is `import type` / `export type`.
  const runtime = all.filter((spec) => {
    const q = spec.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const statements = src.match(new RegExp(`(?:^|\\n)\\s*(?:import|export)\\b[^;]*?["']${q}["']`, "g")) ?? [`import("${spec}")`];
    return statements.some((st) => !/^\s*(?:import|export)\s+type\b/.test(st.trim()));
  });
  const resolveAll = (specs: string[]) =>
    [...new Set(specs.map((spec) => resolve(f, spec)).filter((d): d is string => d !== null && /\.(ts|tsx)$/.test(d)))];
  graph.set(f, resolveAll(runtime));
  typeGraph.set(f, resolveAll(all));
}

describe("the import graph", () => {
  it("reads the whole tree", () => {
    expect(files.length).toBeGreaterThan(150);
    expect(typeGraph.get("app/web/guard.server.ts")).toContain("app/modules/access/context.ts");
    expect(graph.get("app/web/guard.server.ts")).not.toContain("app/modules/access/context.ts");
    expect(graph.get("app/web/guard.server.ts")).toContain("app/modules/audit/audit.server.ts");
  });

  it("has no arrow pointing up (lib <- modules <- web <- routes; db only below the domain)", () => {
    const upward: string[] = [];
    for (const [from, deps] of typeGraph) {
      const l = layerOf(from);
      for (const to of deps) {
        const m = layerOf(to);
        const loaderType = l === "components" && m === "routes" && !graph.get(from)!.includes(to);
        const ok = loaderType || (ALLOWED[l].includes(m) && !(l === "web" && m === "db" && !WEB_DB_FILES.has(to)));
        if (!ok) upward.push(`${from} -> ${to}`);
      }
    }
    expect(upward.filter((a) => !PENDING.includes(a))).toEqual([]);
    expect(PENDING.filter((a) => !upward.includes(a))).toEqual([]);
  });

  it("has no cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, "open");
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (state.get(d) === "open") cycles.push([...stack.slice(stack.indexOf(d)), d].join(" -> "));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("keeps the domain free of HTTP: no Request, no @remix-run, no Response", () => {
    const offenders = files.filter((f) => {
      if (layerOf(f) !== "modules") return false;
      const src = fs
        .readFileSync(path.join(root, f), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      return /from ['"]@remix-run\//.test(src) || /\bRequest\b(?!\w)/.test(src.replace(/\w+Request\b/g, "")) || /new Response\(/.test(src);
    });
    expect(offenders).toEqual([]);
  });

  /**
   * The web's own objects stay at the edge: a query string, a form, headers, node's HTTP
   * server. The files still taking a query string are listed with the reason; a new one fails.
   */
  it("keeps URLSearchParams, FormData, Headers and node:http out of the domain, but for the listed files", () => {
    const KNOWN: Record<string, string> = {
      // A report's filters and options are a query string end to end: the download's, and a
      // schedule's stored one (endpoint-params.ts builds it for both).
      "app/modules/exports/endpoint-params.ts": "URLSearchParams",
      "app/modules/exports/export.server.ts": "URLSearchParams",
      "app/modules/exports/options.server.ts": "URLSearchParams",
      "app/modules/exports/schedules.server.ts": "URLSearchParams",
      "app/modules/exports/reports/report.server.ts": "URLSearchParams",
      "app/modules/exports/reports/balance-summary.server.ts": "URLSearchParams",
      "app/modules/exports/reports/reconciliation.server.ts": "URLSearchParams",
      // The lists' filter parser takes the page's query (or a plain object) and a saved view's.
      "app/modules/reporting/list-query.server.ts": "URLSearchParams",
      // An HTTP client, not a server: delivering webhooks is the domain's job.
      "app/modules/webhooks/delivery.server.ts": "node:http",
    };
    const found: Record<string, string> = {};
    for (const f of files) {
      if (layerOf(f) !== "modules") continue;
      const src = fs
        .readFileSync(path.join(root, f), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const uses = [
        /\bURLSearchParams\b/.test(src) && "URLSearchParams",
        /\bFormData\b/.test(src) && "FormData",
        /\bnew Headers\b|:\s*Headers\b/.test(src) && "Headers",
        /from ["']node:http["']|from ["']http["']/.test(src) && "node:http",
      ].filter(Boolean);
      if (uses.length) found[f] = uses.join(", ");
    }
    expect(found).toEqual(KNOWN);
  });

  /**
   * Capability folders of app/modules (payments, refunds, events, ...) that import each other
   * at run time: none may (a cycle is broken by moving the shared piece down). Broken so far: payments ⇄ events
   * (the API objects are imported from payments/serialize.ts), payments ⇄ payment-links (the
   * receipt and trace number are payments/receipts.server.ts), payments ⇄ refunds (the
   * reconciliation job is modules/reconciliation, above both), payment-links ⇄ subscriptions (the
   * link terminal is terminals/link-terminal.server.ts, a provider's inquiry answer as an outcome
   * payments/inquiry-outcome.ts, what the cardholder's pages share modules/cardholder), payments ⇄
   * reporting (a payment's detail is payments/detail.server.ts).
   */
  it("lists the cycles between the domain's capability folders, and no new one", () => {
    const capability = (f: string) => f.split("/")[2]!;
    const arrows = new Map<string, Set<string>>();
    for (const [from, deps] of graph) {
      if (layerOf(from) !== "modules") continue;
      for (const to of deps) {
        if (layerOf(to) !== "modules" || capability(to) === capability(from)) continue;
        if (!arrows.has(capability(from))) arrows.set(capability(from), new Set());
        arrows.get(capability(from))!.add(capability(to));
      }
    }
    const pairs: string[] = [];
    for (const [a, tos] of arrows) for (const b of tos) if (a < b && arrows.get(b)?.has(a)) pairs.push(`${a} <-> ${b}`);
    expect(pairs.sort()).toEqual([]);
  });
});
