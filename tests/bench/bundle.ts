/**
 * JavaScript a browser downloads to open each page, from the Remix build manifest:
 * the client entry, then every route module of the match (root, layout, page) and
 * the shared chunks each imports, each file counted once, gzip-compressed the way the
 * server sends it (the compression middleware's default level).
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ceiling, info, type Metric } from "./stats";

interface ManifestRoute {
  id: string;
  parentId?: string;
  module: string;
  imports?: string[];
}
interface Manifest {
  entry: { module: string; imports: string[] };
  routes: Record<string, ManifestRoute>;
  url?: string;
}

export function readManifest(root = process.cwd()): Manifest {
  // The manifest the server build serves (build/index.js names it), not a stale one beside it.
  const server = fs.readFileSync(path.join(root, "build/index.js"), "utf8");
  const name = /\/build\/(manifest-[A-Za-z0-9]+\.js)/.exec(server)?.[1];
  if (!name) throw new Error("build/index.js names no client manifest: run npm run build");
  const text = fs.readFileSync(path.join(root, "public/build", name), "utf8");
  return JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as Manifest;
}

export function routeJs(manifest: Manifest, routeId: string, root = process.cwd()): { files: string[]; raw: number; gzip: number } {
  const files = new Set<string>([manifest.entry.module, ...manifest.entry.imports]);
  const chain: ManifestRoute[] = [];
  for (let r: ManifestRoute | undefined = manifest.routes[routeId]; r; r = r.parentId ? manifest.routes[r.parentId] : undefined) chain.unshift(r);
  if (chain.length === 0) throw new Error(`no route ${routeId} in the manifest`);
  for (const r of chain) {
    files.add(r.module);
    for (const i of r.imports ?? []) files.add(i);
  }
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = fs.readFileSync(path.join(root, "public", f));
    raw += buf.length;
    gzip += zlib.gzipSync(buf, { level: zlib.constants.Z_DEFAULT_COMPRESSION }).length;
  }
  return { files: [...files], raw, gzip };
}

const PAGES: [string, string][] = [
  ["Overview", "routes/_app._index"],
  ["payments page", "routes/_app.payments._index"],
  ["payment detail", "routes/_app.payments.$paymentId"],
  ["payouts page", "routes/_app.payouts._index"],
  ["payout detail", "routes/_app.payouts.$payoutId"],
  ["reports page", "routes/_app.reports._index"],
  ["sign-in page", "routes/login"],
];

/**
 * The language catalogs are their own chunks (only the reader's is downloaded, before
 * hydration): each page below counts the English one; the Persian one is reported beside.
 */
export function catalogChunks(root = process.cwd()): Record<"en" | "fa", { file: string; raw: number; gzip: number }> {
  const dir = path.join(root, "public/build/_shared");
  const out: Partial<Record<"en" | "fa", { file: string; raw: number; gzip: number }>> = {};
  for (const lang of ["en", "fa"] as const) {
    const file = fs.readdirSync(dir).find((f) => new RegExp(`^${lang}-[A-Z0-9]+\\.js$`).test(f));
    if (!file) throw new Error(`no ${lang} catalog chunk in public/build/_shared: is the catalog still imported statically?`);
    const buf = fs.readFileSync(path.join(dir, file));
    out[lang] = { file: `/build/_shared/${file}`, raw: buf.length, gzip: zlib.gzipSync(buf, { level: zlib.constants.Z_DEFAULT_COMPRESSION }).length };
  }
  return out as Record<"en" | "fa", { file: string; raw: number; gzip: number }>;
}

export function benchBundle(log: (m: string) => void): Metric[] {
  const manifest = readManifest();
  const out: Metric[] = [];
  const catalogs = catalogChunks();
  log(`  language catalogs (one per reader): en ${(catalogs.en.gzip / 1024).toFixed(0)} KB gzip, fa ${(catalogs.fa.gzip / 1024).toFixed(0)} KB gzip`);
  for (const [label, id] of PAGES) {
    if (!manifest.routes[id]) continue;
    const route = routeJs(manifest, id);
    const js = { ...route, files: [...route.files, catalogs.en.file], raw: route.raw + catalogs.en.raw, gzip: route.gzip + catalogs.en.gzip };
    log(`  ${label}: ${js.files.length} files, ${(js.raw / 1024).toFixed(0)} KB raw, ${(js.gzip / 1024).toFixed(0)} KB gzip`);
    out.push(label === "Overview" ? ceiling(`JS for ${label} (gzip)`, js.gzip / 1024, null, "KB", 300) : info(`JS for ${label} (gzip)`, js.gzip / 1024, "KB"));
  }
  return out;
}
