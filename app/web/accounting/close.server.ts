/** The web edge of the month-end close page: its data and the close action (audited). */
import { json } from "@remix-run/node";
import { db } from "~db/client.server";
import { audit } from "~/modules/audit/audit.server";
import { booksCalendar, merchantBooks, monthKey, parseMonthKey, recentMonths } from "~/modules/accounting/fee-statements.server";
import { closeMonth, listMonthCloses, monthFigures } from "~/modules/accounting/month-close.server";
import { resolvePreferences } from "~/modules/i18n/preferences.server";
import { clientOf } from "~/web/request.server";
import { requireAction, requireContext } from "~/web/guard.server";
import { monthLabel } from "./statements.server";

export async function closePage(request: Request, now = new Date()) {
  const ctx = await requireContext(request, "reports:export");
  const books = await merchantBooks(db(), ctx.scope.merchantId);
  const calendar = booksCalendar(books);
  const locale = resolvePreferences(ctx).locale;
  const closes = await listMonthCloses(ctx.scope);
  const months = recentMonths(now, calendar, books.timeZone, 6);
  const url = new URL(request.url);
  const chosen = parseMonthKey(url.searchParams.get("month") ?? "", calendar) ?? months[0]!;
  const close = closes.find((c) => c.ref.calendar === chosen.calendar && c.ref.year === chosen.year && c.ref.month === chosen.month) ?? null;
  const figures = close ? close.figures : (await monthFigures(ctx.scope, chosen)).currencies;
  return json({
    timeZone: books.timeZone,
    month: { key: monthKey(chosen), label: monthLabel(chosen, locale) },
    months: months.map((m) => ({ key: monthKey(m), label: monthLabel(m, locale), closed: closes.some((c) => c.ref.year === m.year && c.ref.month === m.month && c.ref.calendar === m.calendar) })),
    closed: close ? { at: close.closedAt.toISOString() } : null,
    figures,
  });
}

export async function closeAction(request: Request, now = new Date()) {
  const { ctx, form } = await requireAction(request, "reports:export");
  const books = await merchantBooks(db(), ctx.scope.merchantId);
  const ref = parseMonthKey(String(form.get("month") ?? ""), booksCalendar(books));
  if (!ref) return json({ ok: false as const, field: "month", message: "Choose a month as YYYY-MM of the books' calendar, for example 1404-01 or 2025-03." }, { status: 400 });
  const r = await closeMonth(ctx.scope, ref, { now, userId: ctx.user.id });
  if (!r.ok) return json({ ok: false as const, field: r.field, message: r.message }, { status: 422 });
  if (r.created) {
    await audit(db(), { actor: ctx, action: "books.month_close", outcome: "success", targetType: "month", targetId: `${ref.calendar}:${monthKey(ref)}`, details: { figures: r.close.figures }, client: clientOf(request) });
  }
  return json({ ok: true as const, message: null });
}
