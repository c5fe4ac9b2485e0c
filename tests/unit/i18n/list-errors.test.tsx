/**
 * A hand-edited or stale list URL is refused by the server in English (the API and logs
 * keep those sentences); a Persian reader of the list pages gets each refusal in Persian.
 * The messages here are the real ones: produced by the schemas and parse functions of
 * app/modules/reporting and the list modules, never copied.
 */
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AmountFields, CheckboxMenu, DateRangeFields, SearchField } from "~/components/console/filters";
import { makeFormatter } from "~/lib/format";
import { listFieldError } from "~/lib/i18n/messages";
import { anonymousPreferences } from "~/lib/i18n/preferences";
import { I18nProvider } from "~/lib/i18n/react";
import { translator } from "~/lib/i18n/translate";
import { paymentListQuerySchema } from "~/modules/payments/list.server";
import { payoutItemsQuerySchema } from "~/modules/settlements/payout-detail.server";
import { payoutListQuerySchema } from "~/modules/settlements/payout-list.server";
import { refundListQuerySchema } from "~/modules/refunds/list.server";
import { overviewQuerySchema, resolveOverviewRange } from "~/modules/reporting/overview/range.server";
import {
  amountRange,
  decodeCursor,
  encodeCursor,
  ListFilterError,
  parseListQuery,
  resolveListRange,
  sortParam,
} from "~/modules/reporting/list-query.server";

const faT = translator("fa-IR");
const enT = translator("en-US");
const fa = makeFormatter({ locale: "fa", timeZone: "Asia/Tehran", currency: "IRR" });
const en = makeFormatter({ locale: "en", timeZone: "Asia/Tehran", currency: "IRR" });

/** The refusals parseListQuery reports for a URL. */
function urlErrors(schema: Parameters<typeof parseListQuery>[0], query: Record<string, string | string[]>): Record<string, string> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  return parseListQuery(schema, params).errors;
}

/** The ListFilterError a parse function throws. */
function refusal(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ListFilterError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error("not refused");
}

/** Persian, with no Latin word left outside an isolated name (a currency code). */
function expectPersian(text: string | undefined, context: string) {
  expect(text, context).toBeTruthy();
  expect(text, context).toMatch(/[\u0600-\u06FF]/);
  expect(text!.replace(/\u2068[^\u2069]*\u2069/g, ""), context).not.toMatch(/[A-Za-z]/);
}

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

// Every refusal the list pages can show, as the server words it today.
const payments = urlErrors(paymentListQuerySchema, {
  status: "bogus",
  brand: "bogus",
  funding: "bogus",
  terminal: "t".repeat(101),
  bank: "b".repeat(101),
  q: "x".repeat(101),
  sort: "nope",
  cols: "nope",
  limit: "30",
  range: "forever",
  cursor: "c".repeat(401),
  from: "2025-13-45",
  min: "1".repeat(41),
});
const paymentsMore = urlErrors(paymentListQuerySchema, { terminal: many("term_", 51), limit: "abc", cols: many("col", 51) });
const paymentsFloatLimit = urlErrors(paymentListQuerySchema, { limit: "2.5" });
const refunds = urlErrors(refundListQuerySchema, { status: "bogus", reason: "bogus", by: "u".repeat(101), sort: "nope", q: "x".repeat(101) });
const payouts = urlErrors(payoutListQuerySchema, { status: "bogus", sort: "nope", range: "forever", limit: "7" });
const items = urlErrors(payoutItemsQuerySchema, { cursor: "c".repeat(401), limit: "7" });
const overview = urlErrors(overviewQuerySchema, { range: "forever", g: "minute" });

const q = (s: string) => overviewQuerySchema.parse(new URLSearchParams(s));
const thrown = {
  garbageCursor: refusal(() => decodeCursor("garbage", "timestamptz")),
  otherSortCursor: refusal(() => decodeCursor(encodeCursor({ v: "125000", id: "pay_1", dir: "next" }), "timestamptz")),
  endBeforeStart: refusal(() => resolveListRange("Asia/Tehran", { range: "all", from: "2025-03-21", to: "2025-03-01" })),
  maxBelowMin: refusal(() => amountRange("IRR", { min: "500", max: "100" })),
  currency: refusal(() => amountRange("XYZ", { min: "1" })),
  hourly: refusal(() => resolveOverviewRange("Asia/Tehran", q("range=12m&g=hour"))),
  grouping: refusal(() => resolveOverviewRange("Asia/Tehran", q("range=today&g=month"))),
  rangeEnds: refusal(() => resolveOverviewRange("Asia/Tehran", q("from=2025-03-21&to=2025-03-01"))),
  tooLong: refusal(() => resolveOverviewRange("Asia/Tehran", q("from=2015-01-01&to=2025-03-01"))),
};
const sortIssue = sortParam(["arrival", "amount"], "-arrival").safeParse("zzz");
const sortParamMessage = sortIssue.success ? "" : sortIssue.error.issues[0]!.message;

const field = (key: Parameters<typeof faT>[0]) => faT(key);

/** [where, field, server message, the Persian sentence expected]. */
const CASES: [string, string, string | undefined, string][] = [
  ["payments", "status", payments.status, faT("listError.unknownChoice", { field: field("common.status") })],
  ["payments", "brand", payments.brand, faT("listError.unknownChoice", { field: field("card.brand.label") })],
  ["payments", "funding", payments.funding, faT("listError.unknownChoice", { field: field("card.funding.label") })],
  ["payments", "terminal", payments.terminal, faT("listError.unknownChoice", { field: field("payments.col.terminal") })],
  ["payments", "bank", payments.bank, faT("listError.unknownChoice", { field: field("card.bank") })],
  ["payments", "q", payments.q, faT("listError.searchTooLong", { max: 100 })],
  ["payments", "sort", payments.sort, faT("listError.sort")],
  ["payments", "cols", payments.cols, faT("listError.columns")],
  ["payments", "limit", payments.limit, faT("listError.pageSize", { small: 25, medium: 50, large: 100 })],
  ["payments", "range", payments.range, faT("listError.range")],
  ["payments", "cursor", payments.cursor, faT("listError.staleCursor")],
  ["payments", "from", payments.from, faT("dates.dayInput.notUnderstood", { example: fa.digits("1404/01/31") })],
  ["payments", "min", payments.min, faT("listError.amountTooLong")],
  ["payments, 51 terminals", "terminal", paymentsMore.terminal, faT("listError.tooManyChoices", { field: field("payments.col.terminal"), max: 50 })],
  ["payments, limit=abc", "limit", paymentsMore.limit, faT("listError.pageSize", { small: 25, medium: 50, large: 100 })],
  ["payments, 51 columns", "cols", paymentsMore.cols, faT("listError.columns")],
  ["payments, limit=2.5", "limit", paymentsFloatLimit.limit, faT("listError.pageSize", { small: 25, medium: 50, large: 100 })],
  ["refunds", "status", refunds.status, faT("listError.unknownChoice", { field: field("common.status") })],
  ["refunds", "reason", refunds.reason, faT("listError.unknownChoice", { field: field("refunds.col.reason") })],
  ["refunds", "by", refunds.by, faT("listError.unknownChoice", { field: field("refunds.col.issuedBy") })],
  ["refunds", "sort", refunds.sort, faT("listError.sort")],
  ["refunds", "q", refunds.q, faT("listError.searchTooLong", { max: 100 })],
  ["payouts", "status", payouts.status, faT("listError.unknownChoice", { field: field("common.status") })],
  ["payouts", "sort", payouts.sort, faT("listError.sort")],
  ["payouts", "range", payouts.range, faT("listError.range")],
  ["payouts", "limit", payouts.limit, faT("listError.pageSize", { small: 25, medium: 50, large: 100 })],
  ["payout items", "cursor", items.cursor, faT("listError.staleCursor")],
  ["payout items", "limit", items.limit, faT("listError.pageSize", { small: 25, medium: 50, large: 100 })],
  ["overview", "range", overview.range, faT("listError.range")],
  ["overview", "g", overview.g, faT("listError.grouping")],
  ["decodeCursor, garbage", thrown.garbageCursor.field, thrown.garbageCursor.message, faT("listError.staleCursor")],
  ["decodeCursor, another sort", thrown.otherSortCursor.field, thrown.otherSortCursor.message, faT("listError.staleCursor")],
  ["resolveListRange", thrown.endBeforeStart.field, thrown.endBeforeStart.message, faT("dates.error.endBeforeStart")],
  ["amountRange, max < min", thrown.maxBelowMin.field, thrown.maxBelowMin.message, faT("listError.maxBelowMin")],
  ["amountRange, currency", thrown.currency.field, thrown.currency.message, faT("listError.amountCurrency", { currency: "XYZ" })],
  ["overview, hourly", thrown.hourly.field, thrown.hourly.message, faT("listError.hourlyTooLong", { days: 2 })],
  [
    "overview, grouping",
    thrown.grouping.field,
    thrown.grouping.message,
    faT("listError.groupingRange", { unit: faT("overview.granularity.month"), choices: "ساعت یا روز" }),
  ],
  ["overview, ends before", thrown.rangeEnds.field, thrown.rangeEnds.message, faT("dates.error.endBeforeStart")],
  ["overview, five years", thrown.tooLong.field, thrown.tooLong.message, faT("dates.error.tooLong", { years: 5 })],
  ["sortParam", "sort", sortParamMessage, faT("listError.sort")],
];

describe("listFieldError", () => {
  it("gets a real server message for every case", () => {
    for (const [where, f, message] of CASES) {
      expect(message, `${where}: ${f}`).toBeTruthy();
      expect(message, `${where}: ${f}`).toMatch(/[A-Za-z]{3,}/);
    }
  });

  it.each(CASES)("%s: %s reads in Persian for a Persian reader", (where, f, message, expected) => {
    const text = listFieldError(faT, fa, f, message);
    expectPersian(text, `${where}: ${message}`);
    expect(text).toBe(expected);
  });

  it.each(CASES)("%s: %s keeps the server's sentence for an English reader", (_where, f, message) => {
    expect(listFieldError(enT, en, f, message)).toBe(message);
  });

  it("writes numbers in the reader's digits", () => {
    expect(listFieldError(faT, fa, "limit", payments.limit)).toContain("۲۵");
    const latn = makeFormatter({ locale: "fa", digits: "latn", timeZone: "Asia/Tehran", currency: "IRR" });
    expect(listFieldError(translator("fa-IR-u-nu-latn"), latn, "limit", payments.limit)).toContain("25");
  });

  it("names the field by its control's label when given one", () => {
    expect(listFieldError(faT, fa, "status", refunds.status, "وضعیت استرداد")).toBe(faT("listError.unknownChoice", { field: "وضعیت استرداد" }));
  });

  it("never shows English to a Persian reader: an unrecognised refusal names its field, or the link", () => {
    expect(listFieldError(faT, fa, "status", "Something new went wrong")).toBe(faT("listError.invalid", { field: faT("common.status") }));
    expect(listFieldError(faT, fa, "cursor", "Something new went wrong")).toBe(faT("listError.invalid", { field: faT("listError.field.page") }));
    expect(listFieldError(faT, fa, "whatever", "Something new went wrong")).toBe(faT("listError.invalidUnnamed"));
    expectPersian(listFieldError(faT, fa, "whatever", "Something new went wrong"), "unnamed");
    expect(listFieldError(enT, en, "whatever", "Something new went wrong")).toBe("Something new went wrong");
  });

  it("passes no refusal through as no refusal", () => {
    expect(listFieldError(faT, fa, "status", undefined)).toBeUndefined();
    expect(listFieldError(enT, en, "status", undefined)).toBeUndefined();
  });
});

describe("filter controls", () => {
  const render = (locale: "fa" | "en", node: ReactNode) =>
    renderToStaticMarkup(
      <I18nProvider prefs={{ ...anonymousPreferences(locale), timeZone: "Asia/Tehran", currency: "IRR" }}>{node}</I18nProvider>,
    );
  const controls = (
    <>
      <CheckboxMenu name="status" legend="LEGEND" options={[]} selected={[]} error={payments.status} />
      <SearchField label="SEARCH" hint="" value="x" error={payments.q} />
      <DateRangeFields range="all" errors={{ range: payments.range! }} />
      <AmountFields min="500" max="100" currency="IRR" errors={{ max: thrown.maxBelowMin.message }} />
    </>
  );

  it("show a Persian reader the refusals in Persian", () => {
    const html = render("fa", controls);
    expect(html).toContain(faT("listError.unknownChoice", { field: "LEGEND" }));
    expect(html).toContain(faT("listError.searchTooLong", { max: 100 }));
    expect(html).toContain(faT("listError.range"));
    expect(html).toContain(faT("listError.maxBelowMin"));
    for (const m of [payments.status, payments.q, payments.range, thrown.maxBelowMin.message]) expect(html).not.toContain(m);
  });

  it("show an English reader the server's sentences", () => {
    const html = render("en", controls);
    for (const m of [payments.status, payments.q, payments.range, thrown.maxBelowMin.message]) expect(html).toContain(m);
  });
});
