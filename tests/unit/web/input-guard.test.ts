import { describe, expect, it } from "vitest";
import { checkForm, checkJson, checkPath, checkQuery, PAGES_WITH_DATE_SCHEMAS } from "~/web/edge/input-guard";
import { parseListQuery } from "~/modules/reporting/list-query.server";
import { paymentListQuerySchema } from "~/modules/payments/list.server";
import { refundListQuerySchema } from "~/modules/refunds/list.server";
import { payoutListQuerySchema } from "~/modules/settlements/payout-list.server";
import { listFieldError } from "~/lib/i18n/messages";
import { translator } from "~/lib/i18n/translate";
import { makeFormatter } from "~/lib/format";
import { badInputSentence } from "~/web/edge/bad-input.server";

describe("the edge's input check", () => {
  it("names the parameter and what to do", () => {
    expect(checkQuery("?q=a%00b")).toMatchObject({ field: "q", kind: "control" });
    expect(checkQuery("?from=2025-02-30")).toMatchObject({ field: "from", kind: "date" });
    expect(checkQuery("?from=0000-00-00")?.kind).toBe("date");
    expect(checkQuery("?to=9999-12-31")?.message).toBe("to: enter a real calendar date as YYYY-MM-DD, between 1970-01-01 and 2100-12-31.");
    expect(checkQuery(`?q=${"x".repeat(2001)}`)).toMatchObject({ field: "q", kind: "tooLong", max: 2000 });
    expect(checkQuery("?from=2024-02-29&to=2025-12-31T23:59:59Z&q=%E2%80%8Fabc")).toBeNull();
    expect(checkPath("/payments/pay_%00x")).toMatchObject({ field: "path", kind: "control" });
    expect(checkPath("/payments/pay_%E0%A4%A")).toMatchObject({ kind: "surrogate" });
  });

  it("lets text keep its tabs and line breaks, never a NUL or a broken character", () => {
    const form = new FormData();
    form.set("note", "line one\n\tline two");
    expect(checkForm(form)).toBeNull();
    form.set("note", "a\u0000b");
    expect(checkForm(form)).toMatchObject({ field: "note", kind: "control" });
    expect(checkJson({ card: { number: "4242\ud800" } })).toMatchObject({ field: "card[number]", kind: "surrogate" });
    expect(checkJson({ description: "ok\nfine", tags: ["a", "b\u0007"] })).toMatchObject({ field: "tags[1]", kind: "control" });
  });

  it("leaves dates to the list pages whose schemas check them, and still refuses a NUL there", () => {
    expect(PAGES_WITH_DATE_SCHEMAS.has("/payments")).toBe(true);
    expect(checkQuery("?from=2025-02-30", { dates: false })).toBeNull();
    expect(checkQuery("?from=2025-02-30%00", { dates: false })).toMatchObject({ field: "from", kind: "control" });
    // Everything else (reports, exports, the API) is still refused at the edge.
    expect(checkQuery("?from=2025-02-30")).toMatchObject({ field: "from", kind: "date" });
  });

  it.each([
    ["2025-02-30", "Enter a date as YYYY-MM-DD, for example 2025-03-21"],
    ["0000-00-00", "Enter a date as YYYY-MM-DD, for example 2025-03-21"],
    ["9999-12-31", "Enter a date between 1970-01-01 and 2100-12-31"],
    ["1969-12-31", "Enter a date between 1970-01-01 and 2100-12-31"],
  ])("a list's schema names %s in the filter that holds it", (day, message) => {
    for (const schema of [paymentListQuerySchema, refundListQuerySchema, payoutListQuerySchema]) {
      const { errors } = parseListQuery(schema, new URLSearchParams({ range: "custom", from: day, to: "2025-03-01" }));
      expect(errors).toEqual({ from: message });
    }
    expect(parseListQuery(paymentListQuerySchema, new URLSearchParams({ range: "custom", from: "2025-01-01", to: day })).errors).toEqual({ to: message });
  });

  it("says an out-of-range day in Persian with Jalali bounds", () => {
    const t = translator("fa");
    const fmt = makeFormatter({ locale: "fa", digits: "persian", irrDisplay: "rial", calendar: "persian", timeZone: "Asia/Tehran", currency: "IRR" });
    expect(listFieldError(t, fmt, "from", "Enter a date between 1970-01-01 and 2100-12-31")?.replace(/[\u2066-\u2069]/g, "")).toBe("تاریخی بین ۱۳۴۸/۱۰/۱۱ و ۱۴۷۹/۱۰/۱۰ وارد کنید.");
  });

  it("says it in the reader's language", () => {
    const p = checkQuery("?from=2025-02-30")!;
    // Placeholders come isolated (FSI…PDI) so a Latin field name reads right in Persian text.
    expect(badInputSentence(p, "fa").replace(/[\u2066-\u2069]/g, "")).toBe("«from»: یک تاریخ واقعی به شکل YYYY-MM-DD بین 1970-01-01 و 2100-12-31 وارد کنید");
    expect(badInputSentence(p, "en").replace(/[\u2066-\u2069]/g, "")).toBe("from: enter a real calendar date as YYYY-MM-DD, between 1970-01-01 and 2100-12-31");
  });
});
