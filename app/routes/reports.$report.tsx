/**
 * Report downloads: /reports/<report>.csv or /reports/<report>.xlsx ?<filters and options>. A resource route (a
 * loader and no component) outside the signed-in layout, so nothing but the file is
 * rendered; the Reports page itself is /reports (routes/_app.reports._index).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFoundResponse, requireContext } from "~/web/guard.server";
import { reportPermissions, type WaitForClient } from "~/modules/exports/export.server";
import { exportReport, reportFromPath } from "~/web/exports/download.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const found = reportFromPath(params.report);
  const ctx = await requireContext(request, "reports:export");
  if (!found) {
    throw notFoundResponse(
      "There is no such report. The reports are payments, refunds, payouts, payout-reconciliation, balance-summary and audit-log, each as .csv or .xlsx (payments.csv, payments.xlsx).",
    );
  }
  const { id, format } = found;
  for (const permission of reportPermissions(id)) await requireContext(request, permission);
  const backpressure = (context as { exportBackpressure?: () => WaitForClient }).exportBackpressure;
  return exportReport(ctx, id, request, { waitForClient: backpressure?.(), format });
}
