import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatJobsReport, runJobsOnce } from "~/server/scheduler";
import { useTestDatabase } from "../../support/db";
import { eq } from "drizzle-orm";
import { db } from "../../../db/client.server";
import * as s from "../../../db/schema";
import { charge, makeMerchant, payoutsNotMatchingItems, payoutsOf } from "./helpers";

const t = useTestDatabase({ seed: "none" });
const tehran = (local: string) => new Date(`${local}+03:30`);
const root = path.resolve(__dirname, "../../..");

function jobsCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "app/server/jobs.ts", ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("background jobs", () => {
  it("runJobsOnce reports what the payout engine did, in words", async () => {
    const m = await makeMerchant();
    await charge(m, tehran("2025-10-20T12:00:00"), 1_250_000n);
    const report = await runJobsOnce({ now: tehran("2025-10-21T12:00:00"), merchantIds: [m.id] });
    expect(report.errors).toEqual([]);
    const lines = formatJobsReport(report).join("\n");
    expect(lines).toMatch(/created po_\w+ for IRR\s1,250,000 \(1 balance transaction, cutoff 2025-10-20T20:00:00.000Z, expected 2025-10-21\)/);
    expect(lines).toMatch(/paid po_\w+/);
  });

  it("the job queue's recurring payouts task creates the payouts (graphile-worker, on either database)", async () => {
    const m = await makeMerchant();
    // The queue's task runs the engine on the real clock (as the server's crontab does). A
    // charge three weeks back has a payout due whatever today is: no run of weekends and
    // holidays (Nowruz is the longest, 13 days with its weekends) can hide it. Three days
    // back, this test failed in the days after Nowruz.
    await charge(m, new Date(Date.now() - 21 * 86400_000), 2_000_000n);
    const lines: string[] = [];
    const { enqueueJob } = await import("~/modules/jobs/queue.server");
    const { startWorker } = await import("~/server/worker");
    const w = await startWorker({ handle: t.handle, crontab: false, pollInterval: 100, log: (l) => lines.push(l) });
    try {
      // What the crontab adds every minute, added now.
      await enqueueJob(t.db, "payouts", {}, { jobKey: "cron:payouts" });
      for (let i = 0; i < 150 && !lines.some((l) => l.includes("created po_")); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await w.stop();
    }
    expect((await payoutsOf(m)).length).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.includes("created po_")), lines.join("\n")).toBe(true);
    expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
  });
});

describe.skipIf(!t.realServer)("npm run jobs on a real server", () => {
  it("two runs at once with a simulated clock create each payout once", async () => {
    const shops = [await makeMerchant(), await makeMerchant({ currency: "USD" })];
    for (const m of shops) {
      for (let d = 0; d < 4; d++) await charge(m, new Date(Date.parse("2025-10-20T09:00:00Z") + d * 86400_000), m.currency === "IRR" ? 3_000_000n : 4200n);
    }
    const env = { DATABASE_URL: t.url! };
    const args = ["--now", "2025-10-27T12:00:00Z", ...shops.flatMap((m) => ["--merchant", m.id])];
    const [a, b] = await Promise.all([jobsCli(args, env), jobsCli(args, env)]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    expect(a.out).toMatch(/Jobs as of 2025-10-27T12:00:00.000Z \(simulated clock\)/);
    const created = (a.out + b.out).match(/created po_\w+/g) ?? [];
    expect(new Set(created).size).toBe(created.length);
    for (const m of shops) {
      const ps = await payoutsOf(m);
      expect(ps.length).toBe(4);
      expect(created.filter((c) => ps.some((p) => c.endsWith(p.id)))).toHaveLength(4);
      expect(ps.every((p) => p.status === "paid")).toBe(true);
      expect(await payoutsNotMatchingItems(m.id)).toEqual([]);
    }
    const again = await jobsCli(args, env);
    expect(again.out).toMatch(/0 payout\(s\) created, 0 payout status change/);
  }, 120_000);

  it("refuses a simulated clock it cannot read", async () => {
    const r = await jobsCli(["--now", "next tuesday"], { DATABASE_URL: t.url! });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/--now takes an ISO date/);
  });

  it("refuses a future clock without --simulate, and then prunes idempotency keys by the real clock", async () => {
    const refused = await jobsCli(["--days", "3"], { DATABASE_URL: t.url! });
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/for test databases only: add --simulate/);
    const m = await makeMerchant();
    const key = `sim-${Date.now()}`;
    await db().insert(s.idempotencyKeys).values({
      merchantId: m.id, scope: "term_x", key, requestHash: "h", method: "POST", path: "/api/v1/payments",
      state: "completed", responseStatus: 201, responseBody: {}, createdAt: new Date(Date.now() - 3600_000), completedAt: new Date(),
    });
    const simulated = await jobsCli(["--simulate", "--days", "3", "--merchant", m.id], { DATABASE_URL: t.url! });
    expect(simulated.out).toMatch(/simulated clock/);
    const kept = await db().select().from(s.idempotencyKeys).where(eq(s.idempotencyKeys.key, key));
    expect(kept).toHaveLength(1);
  }, 120_000);
});
