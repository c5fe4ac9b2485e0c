import { spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, openPostgres, rows } from "~db/client.server";
import { enqueueJob } from "~/modules/jobs/queue.server";
import { reconcilePending } from "~/modules/reconciliation/reconcile.server";
import { runRenewals } from "~/modules/subscriptions/renewals.server";
import { startWorker } from "~/server/worker";
import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { CARD, fastSandbox, ledgerReport, makeMerchant } from "../payments/fixtures";
import { expectEachPaidOnce, invoiceLedger, subscribe } from "./helpers";
import { until as poll } from "../../support/wait";

const t = useTestDatabase({ seed: "none" });
fastSandbox();
const root = path.resolve(__dirname, "../../..");

/** Polls every 100 ms. */
const until = (check: () => Promise<boolean>, ms: number) => poll(check, ms, 100);

async function allInvoices(merchantId: string) {
  return rows<{ id: string; status: string; payments: number; captured: number; provider_auths: number }>(
    db(),
    sql`select i.id, i.status::text as status,
          (select count(*)::int from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id) as payments,
          (select count(*)::int from payments p where p.merchant_id = i.merchant_id and p.invoice_id = i.id and p.status = 'captured') as captured,
          (select count(*)::int from sandbox_authorizations a join payments p on a.account_id = p.merchant_id and a.merchant_reference = p.id
             where p.merchant_id = i.merchant_id and p.invoice_id = i.id) as provider_auths
        from invoices i where i.merchant_id = ${merchantId}`,
  );
}

noticeRealServerOnly(t.realServer, "subscription renewal races");

describe.skipIf(!t.realServer)("renewals race and crash", () => {
  it("three runs at once over 15 due subscriptions and 12 periods each: one invoice per period, one charge per invoice", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const start = new Date("2025-01-10T15:00:00Z");
    const subs = [];
    for (let i = 0; i < 15; i++) subs.push((await subscribe(m, { name: `S${i}`, amount: "1000", interval: "month" }, CARD.approve, start)).subscription);
    // A worker down for a year: the first run after it catches up twelve periods each.
    const now = new Date("2025-12-10T15:00:00Z");
    await Promise.all([1, 2, 3].map(() => runRenewals({ now, merchantIds: [m.merchantId] })));
    await runRenewals({ now, merchantIds: [m.merchantId] }); // attempts a racing run left due
    const list = await allInvoices(m.merchantId);
    expect(list.length).toBe(15 * 12);
    expect(list.filter((i) => i.status !== "paid" || i.payments !== 1 || i.captured !== 1 || i.provider_auths !== 1)).toEqual([]);
    const [dups] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from (select subscription_id, period_start from invoices where merchant_id = ${m.merchantId} group by 1, 2 having count(*) > 1) d`);
    expect(dups!.n).toBe(0);
    expect((await ledgerReport(m)).problems).toEqual([]);
  }, 120_000);

  it("two graphile workers running the renewal job at once: every due period charged exactly once", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date(Date.now() - 30_000);
    for (let i = 0; i < 20; i++) await subscribe(m, { name: `W${i}`, amount: "100000", interval: "week" }, CARD.approveIr, start);
    const second = await openPostgres(t.url!, { max: 6 });
    const a = await startWorker({ handle: t.handle, crontab: false, concurrency: 3, pollInterval: 50, log: () => {} });
    const b = await startWorker({ handle: second, crontab: false, concurrency: 3, pollInterval: 50, log: () => {} });
    try {
      for (let i = 0; i < 8; i++) await enqueueJob(db(), "subscription_renewals", {});
      const done = await until(async () => {
        const [r] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'subscription_renewals'`);
        return r!.n === 0;
      }, 60_000);
      expect(done).toBe(true);
      const list = await allInvoices(m.merchantId);
      expect(list.length).toBe(20);
      expect(list.filter((i) => i.status !== "paid" || i.payments !== 1 || i.provider_auths !== 1)).toEqual([]);
    } finally {
      await a.stop();
      await b.stop();
      await second.close();
    }
  }, 90_000);

  async function runChild(env: Record<string, string>, waitFor: string) {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/renewal-child.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url!, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    try {
      expect(await until(async () => out.includes(waitFor), 40_000), out).toBe(true);
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    return out;
  }

  it("a worker killed after the provider charged (answer lost): no second charge; reconciliation finds the charge and the invoice is paid", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-09-22T06:30:00Z");
    const { subscription } = await subscribe(m, { name: "K", amount: "1500000", interval: "month" }, CARD.approveIr, start);
    await runChild({ CRASH_POINT: "after_provider", RENEW_AT: start.toISOString(), MERCHANT_ID: m.merchantId }, "charged ");
    let [inv] = await invoiceLedger(m.merchantId, subscription.id);
    expect([inv!.status, inv!.attempts, inv!.provider_auths]).toEqual(["open", 1, 1]);
    // Other workers run meanwhile: the attempt is in flight, nothing new is charged.
    for (const minutes of [1, 2, 10]) await runRenewals({ now: new Date(start.getTime() + minutes * 60_000), merchantIds: [m.merchantId] });
    [inv] = await invoiceLedger(m.merchantId, subscription.id);
    expect([inv!.status, inv!.attempts, inv!.provider_auths]).toEqual(["open", 1, 1]);
    await reconcilePending({ now: new Date(start.getTime() + 15 * 60_000), graceMs: 0 });
    await runRenewals({ now: new Date(start.getTime() + 16 * 60_000), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expectEachPaidOnce(list);
    expect(list[0]!.attempts).toBe(1);
    expect((await ledgerReport(m)).problems).toEqual([]);
  }, 90_000);

  it("a worker killed before the provider was called: the attempt is failed by reconciliation and retried once on the schedule", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const start = new Date("2025-09-22T06:30:00Z");
    const { subscription } = await subscribe(m, { name: "K2", amount: "1500000", interval: "month" }, CARD.approveIr, start);
    await runChild({ CRASH_POINT: "before_provider", RENEW_AT: start.toISOString(), MERCHANT_ID: m.merchantId }, "about to charge ");
    let [inv] = await invoiceLedger(m.merchantId, subscription.id);
    expect([inv!.status, inv!.attempts, inv!.provider_auths]).toEqual(["open", 1, 0]);
    const later = new Date(start.getTime() + 60 * 60_000);
    await reconcilePending({ now: later, graceMs: 0, giveUpMs: 10 * 60_000 });
    await runRenewals({ now: later, merchantIds: [m.merchantId] });
    [inv] = await invoiceLedger(m.merchantId, subscription.id);
    expect([inv!.status, inv!.attempts]).toEqual(["open", 1]);
    // The first retry, a day after the failure.
    await runRenewals({ now: new Date(later.getTime() + 86_400_000), merchantIds: [m.merchantId] });
    const list = await invoiceLedger(m.merchantId, subscription.id);
    expectEachPaidOnce(list);
    expect(list[0]!.attempts).toBe(2);
  }, 90_000);
});
