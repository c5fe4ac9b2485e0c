/**
 * A report endpoint's query for a period, zone, columns and formats chosen on the Reports
 * page or saved in a schedule. The period is [start, end); each report's endpoint speaks its
 * own list's language, so the end is translated per report (the lists' `to` is the last day
 * included).
 */
import type { ReportId } from "./definition";
import { previousDay } from "./reports/report.server";

/** The endpoint's query for these choices. */
export function endpointParams(
  id: ReportId,
  s: { start: string; end: string; payout: string; timeZone: string; amounts: "major" | "minor"; excel: boolean; jalali?: boolean; columns: string[] },
): URLSearchParams {
  const q = new URLSearchParams();
  const inclusiveEnd = s.end ? previousDay(s.end) : "";
  switch (id) {
    case "payments":
    case "refunds":
      if (s.start) q.set("from", s.start);
      if (inclusiveEnd) q.set("to", inclusiveEnd);
      q.set("sort", "created");
      break;
    case "payouts":
      if (s.start) q.set("from", s.start);
      if (inclusiveEnd) q.set("to", inclusiveEnd);
      q.set("sort", "arrival");
      break;
    case "audit-log":
    case "subscriptions":
    case "invoices":
      if (s.start) q.set("from", s.start);
      if (inclusiveEnd) q.set("to", inclusiveEnd);
      break;
    case "payout-reconciliation":
      if (s.payout) q.set("payout", s.payout);
      else {
        if (s.start) q.set("arrival_from", s.start);
        if (s.end) q.set("arrival_to", s.end);
      }
      break;
    case "balance-summary":
      if (s.start) q.set("from", s.start);
      if (s.end) q.set("to", s.end);
      break;
  }
  q.set("tz", s.timeZone);
  q.set("columns", s.columns.join(","));
  if (s.amounts === "minor") q.set("amounts", "minor");
  q.set("excel", s.excel ? "1" : "0");
  if (s.jalali !== undefined) q.set("jalali", s.jalali ? "1" : "0");
  return q;
}
