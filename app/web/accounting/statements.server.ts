/**
 * The web edge of fee statements: the Statements page's data and form actions, and the
 * files of a statement's lines. Parses, authorizes, calls the domain, shapes the answer.
 */
import { json } from "@remix-run/node";
import { db } from "~db/client.server";
import { jalaliMonthNames } from "~/lib/dates/jalali";
import { can } from "~/lib/permissions";
import { audit } from "~/modules/audit/audit.server";
import {
  booksCalendar,
  getFeeStatement,
  issueFeeStatements,
  listFeeStatements,
  merchantBooks,
  parseMonthKey,
  recentMonths,
  sameMonth,
  setBooksCalendar,
  monthKey,
  type FeeStatement,
  type MonthRef,
} from "~/modules/accounting/fee-statements.server";
import { openStatementLines } from "~/modules/accounting/statement-lines.server";
import { contentDisposition } from "~/modules/exports/format";
import { XLSX_CONTENT_TYPE } from "~/modules/exports/xlsx.server";
import { resolvePreferences } from "~/modules/i18n/preferences.server";
import { requireAction, requireContext, type AppContext } from "~/web/guard.server";
import { clientOf } from "~/web/request.server";

/** "Aban 1405" / "آبان ۱۴۰۵" / "November 2026" in the reader's language. */
export function monthLabel(ref: MonthRef, locale: string): string {
  const fa = locale.startsWith("fa");
  if (ref.calendar === "jalali") {
    const name = jalaliMonthNames[fa ? "fa" : "en"][ref.month - 1]!;
    const year = fa ? new Intl.NumberFormat("fa-IR", { useGrouping: false }).format(ref.year) : String(ref.year);
    return `${name} ${year}`;
  }
  return new Intl.DateTimeFormat(fa ? "fa-IR-u-ca-gregory" : "en-US", { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(ref.year, ref.month - 1, 15)));
}

/** What the books' pages start from: the signed-in exporter, the merchant's books and their calendar, the reader's locale. */
export async function booksContext(request: Request) {
  const ctx = await requireContext(request, "reports:export");
  const books = await merchantBooks(db(), ctx.scope.merchantId);
  return { ctx, books, calendar: booksCalendar(books), locale: resolvePreferences(ctx).locale };
}

/** The month a form names (`month`: YYYY-MM of the books' calendar); null: answer MONTH_INVALID with 400. */
export async function formMonth(merchantId: string, form: FormData): Promise<MonthRef | null> {
  const books = await merchantBooks(db(), merchantId);
  return parseMonthKey(String(form.get("month") ?? ""), booksCalendar(books));
}

export const MONTH_INVALID = { ok: false as const, field: "month", message: "Choose a month as YYYY-MM of the books' calendar, for example 1404-01 or 2025-03." };

export interface StatementSummary {
  id: string;
  number: number;
  currency: string;
  feeTotal: string;
  vatTotal: string;
  total: string;
  lineCount: number;
  issuedAt: string;
}

function summary(s: FeeStatement): StatementSummary {
  return { id: s.id, number: s.number, currency: s.currency, feeTotal: s.feeTotal.toString(), vatTotal: s.vatTotal.toString(), total: s.total.toString(), lineCount: s.lineCount, issuedAt: s.issuedAt.toISOString() };
}

export async function statementsPage(request: Request, now = new Date()) {
  const { ctx, books, calendar, locale } = await booksContext(request);
  const issued = await listFeeStatements(ctx.scope);
  const months = recentMonths(now, calendar, books.timeZone, 12).map((ref) => ({
    key: monthKey(ref),
    label: monthLabel(ref, locale),
    statements: issued.filter((s) => sameMonth(s, ref)).map(summary),
  }));
  const older = issued.filter((s) => !months.some((m) => m.statements.some((x) => x.id === s.id)));
  return json({
    calendar,
    calendarChosen: books.statementCalendar !== null,
    canChooseCalendar: can(ctx.role, "settings:manage"),
    timeZone: books.timeZone,
    months,
    older: older.map((s) => ({ ...summary(s), label: monthLabel({ calendar: s.calendar, year: s.year, month: s.month }, locale) })),
  });
}

export async function statementsAction(request: Request, now = new Date()) {
  const { ctx, form } = await requireAction(request, "reports:export");
  const intent = form.get("intent");
  if (intent === "calendar") {
    if (!can(ctx.role, "settings:manage")) return json({ ok: false as const, field: "calendar", message: "Only owners and admins choose the calendar of the books." }, { status: 403 });
    const calendar = form.get("calendar");
    if (calendar !== "jalali" && calendar !== "gregorian") return json({ ok: false as const, field: "calendar", message: 'Choose "jalali" or "gregorian".' }, { status: 400 });
    await setBooksCalendar(ctx.scope, calendar);
    await audit(db(), { actor: ctx, action: "settings.books_calendar", outcome: "success", targetType: "merchant", targetId: ctx.scope.merchantId, details: { calendar }, client: clientOf(request) });
    return json({ ok: true as const, issued: null });
  }
  if (intent !== "issue") return json({ ok: false as const, field: "intent", message: 'Send intent "issue" or "calendar".' }, { status: 400 });
  const ref = await formMonth(ctx.scope.merchantId, form);
  if (!ref) return json(MONTH_INVALID, { status: 400 });
  const r = await issueFeeStatements(ctx.scope, ref, { now, userId: ctx.user.id });
  if (!r.ok) return json({ ok: false as const, field: r.error.param, message: r.error.message }, { status: r.error.status });
  if (r.created) {
    for (const s of r.statements) {
      await audit(db(), {
        actor: ctx,
        action: "fee_statement.issue",
        outcome: "success",
        targetType: "fee_statement",
        targetId: s.id,
        details: { number: s.number, month: monthKey(ref), calendar: ref.calendar, currency: s.currency, fees: s.feeTotal, vat: s.vatTotal, total: s.total, lines: s.lineCount },
        client: clientOf(request),
      });
    }
  }
  return json({ ok: true as const, issued: r.statements.map((s) => s.id) });
}

export async function statementPage(request: Request, id: string) {
  const ctx = await requireContext(request, "reports:export");
  const found = await getFeeStatement(ctx.scope, id);
  if (!found) throw new Response("No such fee statement. The Statements page lists them.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const { statement: s, lines } = found;
  const locale = resolvePreferences(ctx).locale;
  return json({
    statement: {
      ...summary(s),
      monthLabel: monthLabel({ calendar: s.calendar, year: s.year, month: s.month }, locale),
      calendar: s.calendar,
      timeZone: s.timeZone,
      periodStart: s.periodStart.toISOString(),
      periodEnd: s.periodEnd.toISOString(),
      vatBreakdown: s.vatBreakdown,
      merchant: s.merchantDetails,
      provider: s.providerDetails,
    },
    lines: lines.map((l) => ({ ...l, createdAt: l.createdAt.toISOString(), gross: l.gross.toString(), fee: l.fee.toString() })),
  });
}

export type StatementsContext = AppContext;

/** /statements/<id>/lines.csv or .xlsx: every line of a statement, in the statement's zone, streamed. */
export async function statementLinesFile(request: Request, id: string, file: string, now = new Date()): Promise<Response> {
  const ctx = await requireContext(request, "reports:export");
  const format = file === "lines.csv" ? "csv" : file === "lines.xlsx" ? "xlsx" : null;
  if (!format) throw new Response("A statement's lines are lines.csv or lines.xlsx.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const persian = resolvePreferences(ctx).locale.startsWith("fa");
  const f = await openStatementLines(ctx, id, format, { signal: request.signal, client: clientOf(request), persian, now });
  if (!f) throw new Response("No such fee statement. The Statements page lists them.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(f.body, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8; header=present" : XLSX_CONTENT_TYPE,
      "Content-Disposition": contentDisposition(f.fileName),
      "Cache-Control": "private, no-store",
    },
  });
}
