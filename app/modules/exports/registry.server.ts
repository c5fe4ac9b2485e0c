import type { ReportId } from "./definition";
import { auditLogReport } from "./reports/audit-log.server";
import { balanceSummaryReport } from "./reports/balance-summary.server";
import { paymentsReport } from "./reports/payments.server";
import { payoutsReport } from "./reports/payouts.server";
import { reconciliationReport } from "./reports/reconciliation.server";
import { refundsReport } from "./reports/refunds.server";
import { invoicesReport } from "./reports/invoices.server";
import { subscriptionsReport } from "./reports/subscriptions.server";
import type { Report } from "./reports/report.server";

export type AnyReport = Report;

/** Every report, in the order the Reports page lists them. */
export const REPORTS: Record<ReportId, AnyReport> = {
  payments: paymentsReport,
  refunds: refundsReport,
  payouts: payoutsReport,
  "payout-reconciliation": reconciliationReport,
  "balance-summary": balanceSummaryReport,
  "audit-log": auditLogReport,
  subscriptions: subscriptionsReport,
  invoices: invoicesReport,
};
