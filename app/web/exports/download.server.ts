/**
 * A report's download over HTTP: the URL's query is the report's filters and options,
 * the request's signal stops the stream, and the answer is a streamed CSV or workbook (or
 * a 400 naming the field). The rows and their rendering are the domain's (openExport).
 */
import { contentDisposition } from "~/modules/exports/format";
import { openExport, type ExportContext, type ExportFormat, type WaitForClient } from "~/modules/exports/export.server";
import { XLSX_CONTENT_TYPE } from "~/modules/exports/xlsx.server";
import { isReportId, type ReportId } from "~/modules/exports/definition";
import { clientOf } from "~/web/request.server";

/** "payments.csv" -> payments as CSV, "payments.xlsx" -> as a workbook; null for anything else (the route answers 404). */
export function reportFromPath(segment: string | undefined): { id: ReportId; format: ExportFormat } | null {
  const m = /^([a-z-]+)\.(csv|xlsx)$/.exec(segment ?? "");
  return m && isReportId(m[1]) ? { id: m[1], format: m[2] as ExportFormat } : null;
}

export async function exportReport(
  ctx: ExportContext,
  id: ReportId,
  request: Request,
  opts: { waitForClient?: WaitForClient; now?: Date; batchSize?: number; copy?: boolean; format?: ExportFormat } = {},
): Promise<Response> {
  const download = await openExport(
    ctx,
    id,
    { params: new URL(request.url).searchParams, signal: request.signal, client: clientOf(request) },
    opts,
  );
  if (!download.ok) {
    return new Response(`${download.field}: ${download.message}`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  return fileResponse(download.body, download);
}

/**
 * A report file's answer (a download, a scheduled run's file): its type (CSV or
 * workbook), its name, never kept by a shared cache; `headers` adds to them
 * (Content-Length where it is known).
 */
export function fileResponse(body: BodyInit | null, file: { format: ExportFormat; fileName: string }, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": file.format === "xlsx" ? XLSX_CONTENT_TYPE : "text/csv; charset=utf-8; header=present",
      "Content-Disposition": contentDisposition(file.fileName),
      ...headers,
      "Cache-Control": "private, no-store",
    },
  });
}
