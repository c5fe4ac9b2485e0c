/** The web edge of the month-end close page: its data and the close action (audited). */
import { json } from "@remix-run/node";
import { db } from "~db/client.server";
import { audit } from "~/modules/audit/audit.server";
import { monthKey, parseMonthKey, recentMonths, sameMonth } from "~/modules/accounting/fee-statements.server";
import { closeMonth, listMonthCloses, monthFigures } from "~/modules/accounting/month-close.server";
import { clientOf } from "~/web/request.server";
import { requireAction } from "~/web/guard.server";
import { booksContext, formMonth, monthLabel, MONTH_INVALID } from "./statements.server";

export async function closePage(request: Request, now = new Date()) {
  const { ctx, books, calendar, locale } = await booksContext(request);
  const closes = await listMonthCloses(ctx.scope);
  const months = recentMonths(now, calendar, books.timeZone, 6);
  const url = new URL(request.url);
  const chosen = parseMonthKey(url.searchParams.get("month") ?? "", calendar) ?? months[0]!;
  const close = closes.find((c) => sameMonth(c.ref, chosen)) ?? null;
  const figures = close ? close.figures : (await monthFigures(ctx.scope, chosen)).currencies;
  return json({
    timeZone: books.timeZone,
    month: { key: monthKey(chosen), label: monthLabel(chosen, locale) },
    months: months.map((m) => ({ key: monthKey(m), label: monthLabel(m, locale), closed: closes.some((c) => sameMonth(c.ref, m)) })),
    closed: close ? { at: close.closedAt.toISOString() } : null,
    figures,
  });
}

export async function closeAction(request: Request, now = new Date()) {
  const { ctx, form } = await requireAction(request, "reports:export");
  const ref = await formMonth(ctx.scope.merchantId, form);
  if (!ref) return json(MONTH_INVALID, { status: 400 });
  const r = await closeMonth(ctx.scope, ref, { now, userId: ctx.user.id });
  if (!r.ok) return json({ ok: false as const, field: r.error.param, message: r.error.message }, { status: r.error.status });
  if (r.created) {
    await audit(db(), { actor: ctx, action: "books.month_close", outcome: "success", targetType: "month", targetId: `${ref.calendar}:${monthKey(ref)}`, details: { figures: r.close.figures }, client: clientOf(request) });
  }
  return json({ ok: true as const, message: null });
}
