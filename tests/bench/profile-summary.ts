/**
 * Where a V8 CPU profile's time went (a `.cpuprofile` from `--cpu-prof`, e.g. the server's
 * under tests/bench/write-profile.ts):
 *   node --import tsx tests/bench/profile-summary.ts <file.cpuprofile> [top N] [chain depth] [skip seconds]
 * Self time by package (node_modules/<name>, the app's own code by folder, node: internals,
 * V8's (garbage collector), (program), (idle)), by function (name, file, line), and by
 * top-level chain: each sample's stack from the root cut to its first `depth` frames of the
 * app's own code (app/, db/, the server bundle), then the package and function the time was
 * spent in, so "who asked for this time" reads as a short path. Percentages are of the busy
 * samples (everything but (idle)). `skip seconds` leaves out the profile's first seconds
 * (the server's start-up and the warm-up requests); a negative figure keeps only the last
 * seconds instead (write-profile.ts's measured seconds end a moment before the profile).
 */
import fs from "node:fs";

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface Node { id: number; callFrame: CallFrame; children?: number[]; parent?: number }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const file = process.argv[2];
if (!file) {
  console.error("usage: profile-summary.ts <file.cpuprofile> [top N] [chain depth]");
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
const depth = Number(process.argv[4] ?? 3);
const skipArg = Number(process.argv[5] ?? 0) * 1e6;
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;

const byId = new Map<number, Node>();
for (const n of profile.nodes) byId.set(n.id, n);
for (const n of profile.nodes) for (const c of n.children ?? []) byId.get(c)!.parent = n.id;

// Self time per node: each sample's delta goes to the node sampled (V8 gives the delta to the next sample).
const self = new Map<number, number>();
const skip = skipArg >= 0 ? skipArg : profile.endTime - profile.startTime + skipArg;
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] ?? 0;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (at < skip) continue;
  self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + dt);
}

/** A frame's package: node_modules/<@scope/name>, app/<folder>, db, node:<module>, or V8's own (…). */
export function packageOf(f: CallFrame): string {
  const u = f.url;
  if (!u) return f.functionName.startsWith("(") ? f.functionName : "(native)";
  const nm = u.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = u.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (u.startsWith("node:")) return u.split("/")[0]!;
  const app = u.match(/\/(app|db|build)\/(.*)$/);
  if (app) {
    if (app[1] === "build") return "build (the app's server bundle)";
    const parts = app[2]!.split("/");
    return `${app[1]}/${parts.length > 1 ? parts.slice(0, app[1] === "app" && parts[0] !== "server" && parts[0] !== "lib" ? 2 : 1).join("/") : parts[0]}`;
  }
  return u.replace(/^file:\/\//, "");
}

const short = (u: string) => u.replace(/^file:\/\//, "").replace(/^.*node_modules\//, "").replace(/^.*\/(app|db|build)\//, "$1/");
const where = (f: CallFrame) => `${f.functionName || "(anonymous)"} ${short(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;

let total = 0;
let idle = 0;
for (const [id, t] of self) {
  total += t;
  if (byId.get(id)!.callFrame.functionName === "(idle)") idle += t;
}
const busy = total - idle;
const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
const ms = (t: number) => `${(t / 1000).toFixed(0).padStart(7)} ms`;

function table(title: string, key: (n: Node) => string | null): void {
  const sums = new Map<string, number>();
  for (const [id, t] of self) {
    const k = key(byId.get(id)!);
    if (k !== null) sums.set(k, (sums.get(k) ?? 0) + t);
  }
  console.log(`\n${title}`);
  for (const [k, t] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(t)} ${pct(t)}  ${k}`);
}

console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, busy ${(busy / 1e6).toFixed(2)} s (idle ${(idle / 1e6).toFixed(2)} s)`);
const notIdle = (n: Node) => (n.callFrame.functionName === "(idle)" ? null : n);
table("Self time by package", (n) => (notIdle(n) ? packageOf(n.callFrame) : null));
table("Self time by function", (n) => (notIdle(n) ? where(n.callFrame) : null));

// Top-level chains: a stack's first `depth` frames of the app's own code, then where the time was spent.
const ownCode = (f: CallFrame) => f.functionName !== "" && /\/(app|db|build)\//.test(f.url) && !f.url.includes("node_modules/");
const chainOf = new Map<number, string>();
function chain(id: number): string {
  const known = chainOf.get(id);
  if (known !== undefined) return known;
  const frames: CallFrame[] = [];
  for (let n: Node | undefined = byId.get(id); n; n = n.parent === undefined ? undefined : byId.get(n.parent)) frames.push(n.callFrame);
  frames.reverse();
  const picked = frames.filter(ownCode).slice(0, depth).map((f) => f.functionName);
  const leaf = frames.at(-1)!;
  const s = `${picked.length ? picked.join(" > ") : "(no app frame)"} … ${packageOf(leaf)}:${leaf.functionName || "(anonymous)"}`;
  chainOf.set(id, s);
  return s;
}
table(`Self time by top-level chain (first ${depth} frames of the app's code … where the time was spent)`, (n) => (notIdle(n) ? chain(n.id) : null));

// Inclusive time of the functions of interest: a frame counted once per sample even if it recurses.
const inclusive = new Map<string, number>();
for (const [id, t] of self) {
  if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
  const seen = new Set<string>();
  for (let n: Node | undefined = byId.get(id); n; n = n.parent === undefined ? undefined : byId.get(n.parent)) {
    if (!n.callFrame.url || n.callFrame.url.startsWith("node:")) continue;
    const k = where(n.callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}
console.log("\nInclusive time by function (the app and packages)");
for (const [k, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(t)} ${pct(t)}  ${k}`);
