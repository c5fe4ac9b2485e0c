/**
 * A throwaway PostgreSQL cluster for tests that restart or kill their database: initdb
 * into a temporary folder and pg_ctl on a free port, run as the `postgres` user when the
 * test runs as root (as CI does). Never the machine's shared server.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./ports";

export interface PgCluster {
  url: (database?: string) => string;
  port: number;
  /**
   * pg_ctl restart, without blocking the test's event loop: the test's clients keep sending
   * while the database is down (so they see it go), and it resolves once it accepts connections.
   */
  restart: (mode: "fast" | "immediate") => Promise<void>;
  stop: () => void;
  /** Stops the cluster and removes its folder. */
  destroy: () => void;
}

function binDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (process.env.PG_BIN && fs.existsSync(path.join(process.env.PG_BIN, "initdb"))) return process.env.PG_BIN;
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin/initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, "bin") : null;
}

/** Why a throwaway cluster cannot be made here, or null when it can. */
export function clusterUnavailableReason(): string | null {
  if (!binDir()) return "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql or PG_BIN";
  const root = process.getuid?.() === 0;
  if (root) {
    try {
      execFileSync("id", ["postgres"], { stdio: "ignore" });
    } catch {
      return "running as root but there is no postgres user to run the cluster as";
    }
  }
  return null;
}

export async function startCluster(): Promise<PgCluster> {
  const bin = binDir()!;
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mc-pg-"));
  const data = path.join(dir, "data");
  const port = await freePort();
  if (asRoot) execFileSync("chown", ["postgres", dir]);
  const run = (args: string[]) => {
    const cmd = [path.join(bin, args[0]!), ...args.slice(1)];
    if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", ...cmd], { stdio: "pipe", cwd: dir });
    else execFileSync(cmd[0]!, cmd.slice(1), { stdio: "pipe", cwd: dir });
  };
  const runAsync = async (args: string[]): Promise<void> => {
    const cmd = [path.join(bin, args[0]!), ...args.slice(1)];
    if (asRoot) await promisify(execFile)("runuser", ["-u", "postgres", "--", ...cmd], { cwd: dir });
    else await promisify(execFile)(cmd[0]!, cmd.slice(1), { cwd: dir });
  };
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  run(["initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  run(["pg_ctl", "-D", data, "-o", opts, "-l", path.join(dir, "log"), "-w", "start"]);
  let stopped = false;
  const cluster: PgCluster = {
    port,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    restart: (mode) => runAsync(["pg_ctl", "-D", data, "-m", mode, "-o", opts, "-l", path.join(dir, "log"), "-w", "restart"]),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        run(["pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // Not running.
      }
    },
    destroy: () => {
      cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
