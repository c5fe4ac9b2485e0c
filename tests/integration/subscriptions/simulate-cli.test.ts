/**
 * `npm run jobs -- --simulate --until ...` itself (the command a person runs on a copy), on
 * the test database: monthly and yearly plans on both calendars, every period invoiced and
 * charged exactly once on the right local day. Needs a PostgreSQL server (the command is
 * another process; PGlite is this process's database).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { CARD, ledgerReport, makeMerchant } from "../payments/fixtures";
import { expectEachPaidOnce, invoiceLedger, jalali, local, NY, subscribe, TEHRAN } from "./helpers";

const t = useTestDatabase({ seed: "none" });
const root = path.resolve(__dirname, "../../..");

/** Runs the command as a person would, against the test database; resolves with its exit code and output. */
function jobs(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "app/server/jobs.ts", ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: t.url!, SANDBOX_SLOW_MS: "40", SANDBOX_LATE_ANSWER_MS: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => resolve({ code: code ?? 1, out }));
  });
}

noticeRealServerOnly(t.realServer, "npm run jobs -- --simulate --until");

describe.skipIf(!t.realServer)("npm run jobs -- --simulate --until", () => {
  it("Jalali months: 30 Mehr renews on 30 Esfand in leap 1403, 30 Farvardin on 29 Esfand in common 1404; each period charged once at 10:00 Tehran", async () => {
    const m = await makeMerchant({ currency: "IRR" });
    const leap = await subscribe(m, { name: "Box A", amount: "1500000", interval: "month" }, CARD.approveIr, new Date("2024-10-21T06:30:00Z")); // 30 Mehr 1403
    const common = await subscribe(m, { name: "Box B", amount: "1500000", interval: "month" }, CARD.approveIr, new Date("2025-04-19T06:30:00Z")); // 30 Farvardin 1404
    const yearly = await subscribe(m, { name: "Year", amount: "90000000", interval: "year" }, CARD.approveIr, new Date("2024-10-21T06:30:00Z"));
    const r = await jobs(["--simulate", "--now", "2024-10-21T06:30:00Z", "--until", "2026-04-20T00:00:00Z", "--merchant", m.merchantId]);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(r.out).toMatch(/Simulated 2024-10-21T06:30:00.000Z to 2026-04-20T00:00:00.000Z in \d+ step\(s\)/);

    const a = await invoiceLedger(m.merchantId, leap.subscription.id);
    expect(a.map((i) => jalali(i.period_start))).toEqual([
      "1403/7/30", "1403/8/30", "1403/9/30", "1403/10/30", "1403/11/30", "1403/12/30",
      "1404/1/30", "1404/2/30", "1404/3/30", "1404/4/30", "1404/5/30", "1404/6/30",
      "1404/7/30", "1404/8/30", "1404/9/30", "1404/10/30", "1404/11/30", "1404/12/29", "1405/1/30",
    ]);
    const b = await invoiceLedger(m.merchantId, common.subscription.id);
    expect(b.map((i) => jalali(i.period_start))).toEqual([
      "1404/1/30", "1404/2/30", "1404/3/30", "1404/4/30", "1404/5/30", "1404/6/30",
      "1404/7/30", "1404/8/30", "1404/9/30", "1404/10/30", "1404/11/30", "1404/12/29", "1405/1/30",
    ]);
    const y = await invoiceLedger(m.merchantId, yearly.subscription.id);
    expect(y.map((i) => jalali(i.period_start))).toEqual(["1403/7/30", "1404/7/30"]);
    for (const list of [a, b, y]) {
      expectEachPaidOnce(list);
      for (const i of list) {
        expect(local(i.period_start, TEHRAN).slice(11)).toBe("10:00");
        expect(i.paid_payment_created!.getTime()).toBe(i.period_start.getTime());
      }
    }
    const ledger = await ledgerReport(m);
    expect(ledger.problems).toEqual([]);
    expect(ledger.chargedPayments).toBe(BigInt(a.length + b.length + y.length));

    // Running it again over the same stretch charges nothing more.
    const again = await jobs(["--simulate", "--now", "2026-04-20T00:00:00Z", "--until", "2026-04-21T00:00:00Z", "--merchant", m.merchantId]);
    expect(again.code, again.out.slice(-2000)).toBe(0);
    expect((await invoiceLedger(m.merchantId, leap.subscription.id)).length).toBe(19);
    expect((await ledgerReport(m)).chargedPayments).toBe(BigInt(a.length + b.length + y.length));
  }, 600_000);

  it("Gregorian in New York: a monthly plan at 02:30 on the 9th (the spring-forward night moves it to 03:30 EDT) and a yearly one from 29 February", async () => {
    const m = await makeMerchant({ currency: "USD" });
    const monthly = await subscribe(m, { name: "Monthly", amount: "1999", interval: "month" }, CARD.approve, new Date("2025-01-09T07:30:00Z")); // 02:30 EST
    const yearly = await subscribe(m, { name: "Yearly", amount: "9900", interval: "year" }, CARD.approve, new Date("2024-02-29T17:00:00Z")); // 12:00 EST
    const r = await jobs(["--simulate", "--now", "2024-02-29T17:00:00Z", "--until", "2025-12-10T00:00:00Z", "--merchant", m.merchantId]);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    const mo = await invoiceLedger(m.merchantId, monthly.subscription.id);
    expect(mo.map((i) => local(i.period_start, NY))).toEqual([
      "2025-01-09 02:30", "2025-02-09 02:30", "2025-03-09 03:30", "2025-04-09 02:30", "2025-05-09 02:30", "2025-06-09 02:30",
      "2025-07-09 02:30", "2025-08-09 02:30", "2025-09-09 02:30", "2025-10-09 02:30", "2025-11-09 02:30", "2025-12-09 02:30",
    ]);
    expect(mo[2]!.period_start.toISOString()).toBe("2025-03-09T07:30:00.000Z");
    expect(mo[3]!.period_start.toISOString()).toBe("2025-04-09T06:30:00.000Z");
    const ye = await invoiceLedger(m.merchantId, yearly.subscription.id);
    expect(ye.map((i) => local(i.period_start, NY))).toEqual(["2024-02-29 12:00", "2025-02-28 12:00"]);
    for (const list of [mo, ye]) expectEachPaidOnce(list);
    expect((await ledgerReport(m)).problems).toEqual([]);
  }, 600_000);
});
