import { describe, expect, it } from "vitest";
import { makeSheba, validateSheba } from "~/lib/bank-account";
import { makeFormatter } from "~/lib/format";
import { amountErrorMessage, rangePresetLabel, shebaErrorMessage } from "~/lib/i18n/messages";
import { translator } from "~/lib/i18n/translate";
import { parseAmount, type CurrencyCode } from "~/lib/money";

const en = { t: translator("en-US"), fmt: makeFormatter({ locale: "en", timeZone: "UTC", currency: "USD" }) };
const fa = { t: translator("fa-IR"), fmt: makeFormatter({ locale: "fa", timeZone: "Asia/Tehran", currency: "IRR" }) };
const FSI = "\u2068";
const PDI = "\u2069";

function amountError(reader: typeof en, input: string, currency: CurrencyCode, unit?: "toman"): string {
  const r = parseAmount(input, currency, unit ? { unit } : {});
  if (r.ok) throw new Error(`${input} parsed`);
  expect(r.code, input).toBeDefined();
  return amountErrorMessage(reader.t, reader.fmt, r);
}

describe("amountErrorMessage", () => {
  it("says why an amount was refused, in the reader's language", () => {
    expect(amountError(fa, "", "IRR")).toBe("مبلغ را وارد کنید.");
    expect(amountError(fa, "-۵۰۰", "IRR")).toBe("مبلغی بیشتر از صفر وارد کنید.");
    expect(amountError(en, "12,50", "USD")).toBe("Use a point (.) for decimals, not a comma.");
    expect(amountError(en, "1.2.3", "USD")).toBe("Use only one decimal point.");
    expect(amountError(en, "1e5", "USD")).toBe("Enter the amount as plain digits, without an exponent (e).");
    expect(amountError(en, "abc", "USD")).toBe("Enter a number, like 1,250.5.");
  });

  it("writes examples, limits and counts in the reader's digits", () => {
    expect(amountError(fa, "۱٬۲۳۴۵", "IRR")).toBe(
      "جداکننده\u200cهای هزارگان را بررسی کنید: رقم\u200cها سه\u200cتایی گروه می\u200cشوند، مانند ۱٬۲۵۰٬۰۰۰.",
    );
    expect(amountError(fa, "۱٫۵", "IRR")).toBe("مبلغ\u200cهای ریال اعشار ندارند.");
    expect(amountError(fa, "۱٫۲۵", "IRR", "toman")).toBe("مبلغ تومانی حداکثر ۱ رقم اعشار دارد.");
    expect(amountError(en, "1.25", "IRR", "toman")).toBe("Toman amounts have at most 1 decimal place.");
    expect(amountError(en, "1.234", "USD")).toBe("USD amounts have at most 2 decimal places.");
    expect(amountError(en, "1" + "0".repeat(16), "USD")).toBe("Enter an amount no greater than 1,000,000,000,000,000 USD.");
    expect(amountError(fa, "1" + "0".repeat(16), "USD")).toBe(
      `مبلغی حداکثر تا ۱٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰ ${FSI}USD${PDI} وارد کنید.`,
    );
    expect(amountError(fa, "10", "USD", "toman")).toBe("تومان فقط برای مبلغ\u200cهای ریالی به کار می\u200cرود.");
  });

  it("falls back to the English reason for a result without a code", () => {
    expect(amountErrorMessage(fa.t, fa.fmt, { ok: false, reason: "Unknown currency" })).toBe("Unknown currency");
  });
});

describe("shebaErrorMessage", () => {
  const message = (reader: typeof en, input: string) => {
    const r = validateSheba(input);
    if (r.ok) throw new Error(`${input} is valid`);
    return shebaErrorMessage(reader.t, reader.fmt, r, input);
  };

  it("says what is wrong with a Sheba number, with counts in the reader's digits", () => {
    expect(message(fa, "")).toBe("شماره شبا را وارد کنید.");
    expect(message(fa, "IR12 0170")).toBe("شماره شبا IR و ۲۴ رقم است؛ این شماره ۶ رقم دارد.");
    expect(message(en, "IR12 0170")).toBe("A Sheba number is IR followed by 24 digits; this one has 6.");
    expect(message(en, "0".repeat(24))).toBe("A Sheba number starts with IR, followed by 24 digits.");
    expect(message(fa, "IR12A")).toBe("پس از IR، شماره شبا فقط رقم دارد.");
    const valid = makeSheba("017", "0000000012345678901");
    const typo = valid.slice(0, -1) + String((Number(valid.slice(-1)) + 1) % 10);
    expect(message(en, typo)).toMatch(/^This Sheba number is not valid/);
    expect(message(fa, makeSheba("099", "0000000012345678901"))).toBe(
      "کد بانک ۰۹۹ در این شماره شبا به هیچ بانک شناخته\u200cشده\u200cای در ایران تعلق ندارد.",
    );
  });
});

describe("rangePresetLabel", () => {
  it("names presets with their numbers in the reader's digits", () => {
    expect(rangePresetLabel(en.t, "7d")).toBe("Last 7 days");
    expect(rangePresetLabel(en.t, "12m")).toBe("Last 12 months");
    expect(rangePresetLabel(fa.t, "30d")).toBe("۳۰ روز گذشته");
    expect(rangePresetLabel(fa.t, "jalali_month")).toBe("ماه جاری");
    expect(rangePresetLabel(fa.t, "last_jalali_month")).toBe("ماه گذشته");
    expect(rangePresetLabel(en.t, "jalali_ytd")).toBe("Jalali year to date");
  });
});

describe("date filter refusals for a Persian reader", () => {
  it("say the server's ISO-day reasons in Persian, in Jalali terms, and leave English readers the server's words", async () => {
    const { dateFieldError } = await import("~/lib/i18n/messages");
    const { translator } = await import("~/lib/i18n/translate");
    const { makeFormatter } = await import("~/lib/format");
    const fa = makeFormatter({ locale: "fa", timeZone: "Asia/Tehran", currency: "IRR" });
    const en = makeFormatter({ locale: "en", timeZone: "Asia/Tehran", currency: "IRR" });
    const iso = "Enter a date as YYYY-MM-DD, for example 2025-03-21";
    expect(dateFieldError(translator("fa-IR"), fa, iso)).toContain("۱۴۰۴/۰۱/۳۱");
    expect(dateFieldError(translator("fa-IR"), fa, "The end date is before the start date: pick an end date on or after the start.")).toMatch(/پیش از تاریخ شروع/);
    expect(dateFieldError(translator("en-US"), en, iso)).toBe(iso);
    expect(dateFieldError(translator("fa-IR"), fa, undefined)).toBeUndefined();
  });
});
