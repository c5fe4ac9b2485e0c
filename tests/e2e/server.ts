/**
 * Starts the built console (`npx tsx app/server/main.ts`, run `npm run build` first) on a
 * free port with a fresh embedded database in a temporary folder, and waits until
 * /login answers. The first start seeds the demo merchants (a smaller ledger here).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../support/ports";

export interface RunningServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * With E2E_ISOLATE=1 the server runs from a private copy of the build (build/, public/,
 * migrations), so another `npm run build` in a shared working tree cannot swap the
 * browser assets under a running test.
 */
function isolatedCopy(root: string, dataDir: string): string {
  const dir = path.join(dataDir, "app");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    if (entry === "build" || entry === "public" || entry === "data" || entry === ".git" || entry === ".cache") continue;
    fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
  }
  fs.cpSync(path.join(root, "build"), path.join(dir, "build"), { recursive: true });
  fs.cpSync(path.join(root, "public"), path.join(dir, "public"), { recursive: true });
  return dir;
}

export async function startServer(
  opts: {
    seedPayments?: number;
    /**
     * The instant the demo ledger ends (SEED_NOW). The server's pages read the real clock
     * (the app has no clock of its own to pin), so its demo ends at the real now by default:
     * a pinned past day would leave "Today" and "Last 7 days" empty.
     */
    seedNow?: Date;
    timeoutMs?: number;
    /** Extra environment (DATABASE_URL for a real server, WEB_CONCURRENCY…). */ env?: Record<string, string>;
  } = {},
): Promise<RunningServer> {
  const seededAt = opts.seedNow ?? new Date();
  const root = path.resolve(import.meta.dirname, "../..");
  if (!fs.existsSync(path.join(root, "build/index.js")) || !fs.existsSync(path.join(root, "public/build"))) {
    throw new Error('No build found: run "npm run build" before the browser tests.');
  }
  const port = await freePort();
  // E2E_DATA_DIR keeps a seeded database between runs (for working on the tests).
  const keep = process.env.E2E_DATA_DIR;
  const dataDir = keep ? (fs.mkdirSync(keep, { recursive: true }), keep) : fs.mkdtempSync(path.join(os.tmpdir(), "mc-e2e-"));
  const cwd = process.env.E2E_ISOLATE === "1" ? isolatedCopy(root, dataDir) : root;
  let output = "";
  // Its own process group, so stopping it stops npx, tsx and node together.
  const child = spawn("npx", ["tsx", path.join(root, "app/server/main.ts")], {
    cwd,
    detached: true,
    env: {
      ...process.env,
      NODE_ENV: "production",
      // tsx reads the path aliases (~/, ~db/) from the project's tsconfig wherever it runs.
      TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json"),
      PORT: String(port),
      HOST: "127.0.0.1",
      PGLITE_DIR: path.join(dataDir, "pglite"),
      DATABASE_URL: "",
      SEED_PAYMENTS: String(opts.seedPayments ?? 6000),
      SEED_NOW: seededAt.toISOString(),
      // The clock-driven jobs would move payouts along while a test reads them.
      SCHEDULER: "0",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 240_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/login`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      throw new Error(`The server did not answer /login in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    dataDir,
    process: child,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((r) => child.once("exit", r));
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {
            // Already gone.
          }
        }
      }
      if (keep) fs.rmSync(path.join(dataDir, "app"), { recursive: true, force: true });
      else fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
