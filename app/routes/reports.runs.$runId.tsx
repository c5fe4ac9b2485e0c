/**
 * /reports/runs/<run>?token=...: the file of a scheduled run too large to attach, behind the
 * mail's link (7 days, a signed-in member allowed to export it). A resource route.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { runDownload } from "~/web/exports/schedules.server";

export const loader = ({ request, params }: LoaderFunctionArgs) => runDownload(request, params.runId ?? "");
