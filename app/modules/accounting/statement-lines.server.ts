/**
 * A fee statement's lines as a file (CSV or workbook), streamed: the lines are read in
 * keyset batches by line number and written as the client takes them, so memory holds one
 * batch whatever the statement's size (as the reports' exports do). Audited when it ends.
 */
import { sql } from "drizzle-orm";
import { db, rows } from "~db/client.server";
import type { Client } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { csvWriter, UTF8_BOM } from "~/modules/exports/csv";
import { csvKind, headerName, rowRenderer, type RawRow } from "~/modules/exports/definition";
import { auditDownload, pullStream, untilAborted, xlsxChunks } from "~/modules/exports/export.server";
import { slugForFileName } from "~/modules/exports/format";
import { XlsxReportWriter } from "~/modules/exports/xlsx.server";
import { getFeeStatementSummary } from "./fee-statements.server";

/** The columns of a statement's lines file (CSV and workbook alike). */
const LINE_COLUMNS = [
  { key: "line", kind: "integer" },
  { key: "created", kind: "local" },
  { key: "created_utc", kind: "utc" },
  { key: "balance_transaction_id", kind: "text" },
  { key: "category", kind: "text" },
  { key: "source_id", kind: "text" },
  { key: "description", kind: "text" },
  { key: "currency", kind: "text" },
  { key: "gross", kind: "amount" },
  { key: "fee", kind: "amount", total: true },
  { key: "vat_rate_percent", kind: "text" },
] as const;

export const STATEMENT_LINES_BATCH = 2000;

async function* lineBatches(merchantId: string, statementId: string, currency: string, size: number): AsyncGenerator<RawRow[], void, undefined> {
  let after = 0;
  for (;;) {
    const batch = await rows<Record<string, unknown>>(
      db(),
      sql`select line_no, ledger_transaction_id, created_at, category, source_id, description, gross::text as gross, fee::text as fee, rate_bps
          from fee_statement_lines where merchant_id = ${merchantId} and statement_id = ${statementId} and line_no > ${after}
          order by line_no limit ${size}`,
    );
    if (batch.length === 0) return;
    after = Number(batch[batch.length - 1]!.line_no);
    yield batch.map((l) => {
      const at = l.created_at instanceof Date ? l.created_at : new Date(String(l.created_at));
      return {
        currency,
        cells: [Number(l.line_no), at, at, String(l.ledger_transaction_id), String(l.category), String(l.source_id), (l.description as string | null) ?? null, currency, BigInt(String(l.gross)), BigInt(String(l.fee)), (Number(l.rate_bps) / 100).toString()],
      };
    });
    if (batch.length < size) return;
  }
}

export type StatementLinesFile = { fileName: string; format: "csv" | "xlsx"; body: ReadableStream<Uint8Array> };

export async function openStatementLines(
  ctx: Pick<AppContext, "user" | "merchant" | "scope">,
  id: string,
  format: "csv" | "xlsx",
  input: { signal: AbortSignal; client: Client; persian: boolean; now?: Date; batchSize?: number },
): Promise<StatementLinesFile | null> {
  const s = await getFeeStatementSummary(ctx.scope, id);
  if (!s) return null;
  const opts = { timeZone: s.timeZone, amounts: "major" as const };
  const headers = LINE_COLUMNS.map((c) => headerName(c, opts));
  const fileName = `fee-statement-${s.number}_${slugForFileName(ctx.merchant.name, ctx.scope.merchantId)}_${s.calendar}-${s.year}-${String(s.month).padStart(2, "0")}.${format}`;
  const size = input.batchSize ?? STATEMENT_LINES_BATCH;
  const batches = lineBatches(ctx.scope.merchantId, s.id, s.currency, size);

  async function* chunks(): AsyncGenerator<string | Uint8Array, void, undefined> {
    let count = 0;
    let completed = false;
    try {
      if (format === "csv") {
        const writer = csvWriter(LINE_COLUMNS.map((c) => csvKind(c.kind)));
        const render = rowRenderer(LINE_COLUMNS.map((c) => c.kind), opts);
        yield (input.persian ? UTF8_BOM : "") + writer.header(headers);
        for await (const batch of untilAborted(batches, input.signal)) {
          count += batch.length;
          yield writer.rows(batch.map(render));
        }
      } else {
        const writer = new XlsxReportWriter(
          LINE_COLUMNS.map((c, i) => ({ header: headers[i]!, kind: c.kind, total: "total" in c ? c.total : false })),
          { timeZone: s!.timeZone, amounts: "major", rightToLeft: input.persian, locale: input.persian ? "fa" : "en", sheetName: `statement-${s!.number}`, title: `Fee statement ${s!.number}`, creator: "Merchant Console", now: input.now ?? new Date() },
        );
        yield* untilAborted(xlsxChunks(writer, batches, (n) => (count += n)), input.signal);
      }
      completed = !input.signal.aborted;
    } finally {
      await auditDownload(ctx, { type: "fee_statement", id: s!.id }, completed, input.client, { report: "fee-statement-lines", format, rows: count, completed });
    }
  }
  return { fileName, format, body: pullStream(chunks(), input.signal) };
}
