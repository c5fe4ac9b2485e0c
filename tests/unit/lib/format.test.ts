import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketStart } from "~/lib/dates/buckets";
import { jalaliToUtc } from "~/lib/dates/jalali";
import { makeFormatter } from "~/lib/format";
import { parseAmount } from "~/lib/money";

const TEHRAN = "Asia/Tehran";
const NBSP = "\u00A0";
const fa = makeFormatter({ locale: "fa", timeZone: TEHRAN, currency: "IRR" });
const faLatn = makeFormatter({ locale: "fa", digits: "latn", timeZone: TEHRAN, currency: "IRR" });
const faToman = makeFormatter({ locale: "fa", irrDisplay: "toman", timeZone: TEHRAN, currency: "IRR" });
const en = makeFormatter({ locale: "en", timeZone: TEHRAN, currency: "IRR" });
const enUsd = makeFormatter({ locale: "en", timeZone: "America/New_York", currency: "USD" });

// Bidi marks Intl puts around signs in Persian output.
const plain = (s: string) => s.replace(/[\u200E\u200F\u061C]/g, "");

describe("makeFormatter: language, digits and calendar", () => {
  it("picks the Intl tag, direction and calendar from the language and digit choice", () => {
    expect([fa.locale, fa.lang, fa.dir, fa.calendar]).toEqual(["fa-IR", "fa", "rtl", "persian"]);
    expect(faLatn.locale).toBe("fa-IR-u-nu-latn");
    expect([en.locale, en.dir, en.calendar]).toEqual(["en-US", "ltr", "gregory"]);
    expect(makeFormatter({ locale: "fa", calendar: "gregory", timeZone: TEHRAN, currency: "IRR" }).date("2025-03-20T20:30:00Z")).toBe(
      "۲۱ مارس ۲۰۲۵",
    );
  });

  it("formats numbers and percentages with Persian digits unless Latin ones were chosen", () => {
    expect(fa.number(1234567)).toBe("۱٬۲۳۴٬۵۶۷");
    expect(fa.number(12345678901234567890n)).toBe("۱۲٬۳۴۵٬۶۷۸٬۹۰۱٬۲۳۴٬۵۶۷٬۸۹۰");
    expect(faLatn.number(1234567)).toBe("1,234,567");
    expect(fa.percent(0.034)).toBe("۳٫۴٪");
    expect(plain(fa.percentChange(12.5))).toBe("+۱۲٫۵٪");
    expect(en.percentChange(12.5)).toBe("+12.5%");
    expect(en.percentChange(null)).toBe("–");
    expect(fa.digits("pay_0123")).toBe("pay_۰۱۲۳");
    expect(faLatn.digits("pay_۰۱۲۳")).toBe("pay_0123");
    expect(en.digits("1234")).toBe("1234");
  });
});

describe("makeFormatter: Jalali dates for fa", () => {
  it("shows 1 Farvardin, and the last day of Esfand in a leap and a common year", () => {
    expect(fa.date(jalaliToUtc({ year: 1404, month: 1, day: 1 }, TEHRAN))).toBe("۱ فروردین ۱۴۰۴");
    expect(fa.date(jalaliToUtc({ year: 1403, month: 12, day: 30 }, TEHRAN))).toBe("۳۰ اسفند ۱۴۰۳");
    expect(fa.date(jalaliToUtc({ year: 1404, month: 12, day: 29 }, TEHRAN))).toBe("۲۹ اسفند ۱۴۰۴");
    // One second before Nowruz is still 30 Esfand in Tehran (20:30 UTC is local midnight).
    expect(fa.date("2025-03-20T20:29:59Z")).toBe("۳۰ اسفند ۱۴۰۳");
    expect(faLatn.date("2025-03-20T20:30:00Z")).toBe("1 فروردین 1404");
    expect(fa.date("2025-03-20T20:30:00Z", "short")).toBe("۱۴۰۴/۱/۱");
    expect(fa.day("2025-03-21")).toBe("۱ فروردین ۱۴۰۴");
    expect(en.day("2025-03-21")).toBe("Mar 21, 2025");
  });

  it("labels Jalali weeks from their Saturday, across Nowruz, and Jalali months", () => {
    // 1 Farvardin 1404 was a Friday: its week began on Saturday 25 Esfand 1403.
    const nowruz = jalaliToUtc({ year: 1404, month: 1, day: 1 }, TEHRAN);
    const week = bucketStart(nowruz, "week", TEHRAN, { calendar: "persian" });
    expect(new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: TEHRAN }).format(week)).toBe("Saturday");
    expect(fa.bucket(week, "week")).toBe("هفته ۲۵ اسفند ۱۴۰۳");
    const month = bucketStart(jalaliToUtc({ year: 1403, month: 12, day: 30 }, TEHRAN), "month", TEHRAN, { calendar: "persian" });
    expect(fa.bucket(month, "month")).toBe("اسفند ۱۴۰۳");
    expect(fa.bucket(month, "day")).toBe("۱ اسفند ۱۴۰۳");
    expect(en.bucket("2025-03-15T20:30:00Z", "week")).toBe("Week of Mar 16, 2025");
  });
});

describe("makeFormatter: money", () => {
  it("shows IRR in rial or toman, with the unit always written", () => {
    expect(fa.money(12000n)).toBe(`۱۲٬۰۰۰${NBSP}ریال`);
    expect(faToman.money(12000n)).toBe(`۱٬۲۰۰${NBSP}تومان`);
    expect(faToman.money("12345")).toBe(`۱٬۲۳۴٫۵${NBSP}تومان`);
    expect(faLatn.money(12000n)).toBe(`12,000${NBSP}ریال`);
    expect(en.money(12000n)).toBe(`IRR${NBSP}12,000`);
    expect(makeFormatter({ locale: "en", irrDisplay: "toman", timeZone: TEHRAN, currency: "IRR" }).money(12000n)).toBe(
      `1,200${NBSP}toman`,
    );
  });

  it("takes another currency or options as its second argument", () => {
    expect(enUsd.money(123456n)).toBe("$1,234.56");
    expect(enUsd.money(500n, { signDisplay: "always" })).toBe("+$5.00");
    expect(fa.money(123456n, "USD")).toContain("۱٬۲۳۴٫۵۶");
    expect(plain(fa.money(-12345n, "IRR", { signDisplay: "always" }))).toBe(`−۱۲٬۳۴۵${NBSP}ریال`);
    expect(enUsd.money(5n, "XYZ")).toBe("5 XYZ");
  });

  it("gives chart values in the unit shown", () => {
    expect(fa.chartValue(12345n)).toBe(12345);
    expect(faToman.chartValue(12345n)).toBe(1234.5);
    expect(enUsd.chartValue("123456")).toBe(1234.56);
  });

  it("reads back what it shows: a toman amount typed in Persian digits is the same rial amount (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), (rial) => {
        const shown = plain(faToman.money(rial)).replace(`${NBSP}تومان`, "");
        expect(parseAmount(shown, "IRR", { unit: "toman" })).toEqual({ ok: true, minor: rial });
        const shownRial = plain(fa.money(rial)).replace(`${NBSP}ریال`, "");
        expect(parseAmount(shownRial, "IRR")).toEqual({ ok: true, minor: rial });
      }),
      { numRuns: 300 },
    );
  });

  it("accepts Persian and Arabic-Indic digits and separators in amounts", () => {
    expect(parseAmount("۱۲٬۵۰۰", "IRR", { unit: "toman" })).toEqual({ ok: true, minor: 125000n });
    expect(parseAmount("١٢٬٣٤٥", "IRR")).toEqual({ ok: true, minor: 12345n });
    expect(parseAmount("۱۲٫۵", "IRR", { unit: "toman" })).toEqual({ ok: true, minor: 125n });
    expect(parseAmount("۱۲،۵۰۰", "IRR")).toEqual({ ok: true, minor: 12500n });
    expect(parseAmount("۱۲٬۵", "IRR").ok).toBe(false);
  });
});

describe("makeFormatter: banks", () => {
  it("names Iranian banks in the reader's language and keeps foreign issuers as stored", () => {
    expect(fa.bankName("017")).toBe("بانک ملی ایران");
    expect(en.bankName("017")).toBe("Melli Bank");
    expect(fa.bankName("HSBC UK")).toBe("HSBC UK");
    expect(fa.bankName(null)).toBe("نامشخص");
    expect(en.bankName("")).toBe("Unknown");
  });

  it("finds the issuing bank as a card number is typed, in any digits", () => {
    expect(fa.cardBank("6037 99")).toBe("بانک ملی ایران");
    expect(fa.cardBank("۶۱۰۴۳۳")).toBe("بانک ملت");
    expect(en.cardBank("6219-86")).toBe("Saman Bank");
    expect(fa.cardBank("60")).toBeNull();
    expect(en.cardBank("4111 1111")).toBeNull();
  });
});

describe("makeFormatter: month names", () => {
  it("writes the Jalali month before the year, as Iranians do", () => {
    expect(fa.month("2025-03-01T00:00:00Z")).toBe("اسفند ۱۴۰۳");
    expect(faLatn.month("2025-03-21T00:00:00Z")).toBe("فروردین 1404");
    expect(en.month("2025-03-01T00:00:00Z")).toBe("March 2025");
  });
});
