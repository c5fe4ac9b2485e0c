import { describe, expect, it } from "vitest";
import { describeViewQuery } from "~/components/console/view-filters";
import { makeFormatter } from "~/lib/format";
import { translator } from "~/lib/i18n/translate";

const names = { terminals: { term_coffee_web: "Web checkout" }, people: { usr_coffee_support: "Sara Support" } };
const en = { t: translator("en"), fmt: makeFormatter({ locale: "en", timeZone: "Asia/Tehran", currency: "IRR" }) };
const fa = { t: translator("fa"), fmt: makeFormatter({ locale: "fa", timeZone: "Asia/Tehran", currency: "IRR", calendar: "persian" }) };
const read = (r: { t: typeof en.t; fmt: typeof en.fmt }, list: Parameters<typeof describeViewQuery>[0], q: string) =>
  describeViewQuery(list, q, r.t, r.fmt, names).map((p) => `${p.label}: ${p.value}`);

describe("a saved view's filters as people read them", () => {
  it("names each filter as its list does and formats values: dates, money, statuses, terminals, sort and columns", () => {
    expect(read(en, "payments", "status=captured,declined&terminal=term_coffee_web&from=2026-03-01&to=2026-03-31&min=125000&sort=-amount&cols=amount,status")).toEqual([
      "Dates: Mar 1, 2026 to Mar 31, 2026",
      "Status: Succeeded, Declined",
      "Terminal: Web checkout",
      "Amount at least: IRR\u00a0125,000",
      "Sorted by: Amount, largest first",
      "Columns: Amount, Status",
    ]);
    expect(read(en, "refunds", "reason=duplicate&by=usr_coffee_support&range=30d&q=pay_123&sort=created")).toEqual([
      "Dates: Last 30 days",
      "Reason: Duplicate",
      "Issued by: Sara Support",
      "Search: pay_123",
      "Sorted by: Date, oldest first",
    ]);
    expect(read(en, "payouts", "range=7d&status=paid&limit=100")).toEqual(["Expected arrival: Last 7 days", "Status: Paid", "Rows per page: 100"]);
    expect(read(en, "audit", "outcome=denied&action=auth.login")).toEqual([`Action: ${en.t("auditAction.auth.login")}`, "Outcome: Denied"]);
    expect(read(en, "audit", "action=view")).toEqual(["Action: Saved views"]);
  });

  it("reads in Persian with Persian digits and the Jalali calendar, and shows a value it no longer knows as stored", () => {
    const lines = read(fa, "payments", "status=captured&from=2026-03-21&min=1250000&terminal=term_gone");
    expect(lines[0]).toBe("تاریخ‌ها: ۱ فروردین ۱۴۰۵ تا …");
    expect(lines[1]).toBe("وضعیت: " + fa.t("paymentStatus.captured"));
    expect(lines[2]).toBe(`${fa.t("payments.col.terminal")}: term_gone`);
    expect(lines[3]).toMatch(/^مبلغ دست‌کم: .*۱٬۲۵۰٬۰۰۰/);
    expect(lines.join(" ")).not.toMatch(/[0-9]{2}/);
  });
});
