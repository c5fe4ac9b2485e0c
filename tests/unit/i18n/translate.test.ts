import { describe, expect, it } from "vitest";
import { chartDirection } from "~/lib/i18n/chart";
import { intlLocale, localeDir, normalizeLocale } from "~/lib/i18n/locales";
import { anonymousPreferences, resolvePreferencesFrom } from "~/lib/i18n/preferences";
import { isMessageKey, translate, translator } from "~/lib/i18n/translate";

const FSI = "\u2068";
const PDI = "\u2069";

describe("translate", () => {
  it("looks messages up by language, whatever the tag", () => {
    expect(translate("en", "nav.overview")).toBe("Overview");
    expect(translate("fa", "nav.overview")).toBe("پیشخوان");
    expect(translate("fa-IR-u-nu-latn", "nav.payments")).toBe("پرداخت\u200cها");
    expect(translate("de", "nav.overview")).toBe("Overview");
  });

  it("interpolates {name}, and leaves a missing param visible", () => {
    expect(translate("en", "error.status", { status: "404" })).toBe("Error 404");
    expect(translate("en", "error.status")).toBe("Error {status}");
    expect(translate("en", "dates.rangeText", { from: "Mar 1" })).toBe("Mar 1 to {to}");
  });

  it("formats number params with the locale's digits and grouping", () => {
    expect(translate("en", "common.pageOf", { page: 2, pages: 1200 })).toBe("Page 2 of 1,200");
    expect(translate("fa", "common.pageOf", { page: 2, pages: 1200 })).toBe("صفحه ۲ از ۱٬۲۰۰");
    expect(translate("fa-IR-u-nu-latn", "common.pageOf", { page: 2, pages: 1200 })).toBe("صفحه 2 از 1,200");
    expect(translate("en", "common.results", { count: 12345678901234567890n })).toBe("12,345,678,901,234,567,890 results");
  });

  it("chooses plural forms with Intl.PluralRules", () => {
    expect(translate("en", "overview.successfulPayments", { count: 1 })).toBe("1 successful payment");
    expect(translate("en", "overview.successfulPayments", { count: 0 })).toBe("0 successful payments");
    expect(translate("en", "overview.successfulPayments", { count: 2 })).toBe("2 successful payments");
    expect(translate("en", "overview.successfulPayments")).toBe("{count} successful payments");
    // Persian counts a singular noun: one form for every number.
    expect(translate("fa", "overview.successfulPayments", { count: 1 })).toBe("۱ پرداخت موفق");
    expect(translate("fa", "overview.successfulPayments", { count: 21 })).toBe("۲۱ پرداخت موفق");
  });

  it("isolates Latin text inside Persian sentences, and only there", () => {
    expect(translate("fa", "overview.subtitle", { merchant: "Demo Coffee", zone: "Asia/Tehran" })).toBe(
      `${FSI}Demo Coffee${PDI}؛ زمان\u200cها به وقت ${FSI}Asia/Tehran${PDI}`,
    );
    expect(translate("fa", "overview.subtitle", { merchant: "کافه دمو", zone: "Asia/Tehran" })).toContain("کافه دمو؛");
    expect(translate("en", "overview.subtitle", { merchant: "Demo Coffee", zone: "UTC" })).toBe("Demo Coffee · times in UTC");
  });

  it("binds a locale with translator(), and recognises keys built from data", () => {
    const t = translator("fa");
    expect(t("paymentStatus.captured")).toBe("موفق");
    expect(isMessageKey("payoutStatus.in_transit")).toBe(true);
    expect(isMessageKey("payoutStatus.lost")).toBe(false);
    expect(isMessageKey("toString")).toBe(false);
  });
});

describe("locales", () => {
  it("normalises tags and knows direction and Intl tags", () => {
    expect(normalizeLocale("fa-IR")).toBe("fa");
    expect(normalizeLocale("FA_ir")).toBe("fa");
    expect(normalizeLocale("ar")).toBe("en");
    expect(normalizeLocale(null)).toBe("en");
    expect(localeDir("fa")).toBe("rtl");
    expect(localeDir("en")).toBe("ltr");
    expect(intlLocale("fa")).toBe("fa-IR");
    expect(intlLocale("fa", "latn")).toBe("fa-IR-u-nu-latn");
    expect(intlLocale("en", "latn")).toBe("en-US");
  });
});

describe("resolvePreferencesFrom", () => {
  it("takes the user's language, else the merchant's default", () => {
    const merchant = { defaultLocale: "fa", timeZone: "Asia/Tehran", currency: "IRR" };
    expect(resolvePreferencesFrom({ user: { locale: null }, merchant })).toMatchObject({
      locale: "fa",
      dir: "rtl",
      calendar: "persian",
      digits: "native",
      irrDisplay: "rial",
      timeZone: "Asia/Tehran",
      currency: "IRR",
    });
    expect(resolvePreferencesFrom({ user: { locale: "en" }, merchant })).toMatchObject({
      locale: "en",
      dir: "ltr",
      calendar: "gregory",
    });
  });

  it("keeps the user's digits and rial/toman choice, ignoring values it does not know", () => {
    const merchant = { defaultLocale: "en", timeZone: "UTC", currency: "IRR" };
    expect(resolvePreferencesFrom({ user: { locale: "fa", digits: "latn", irrDisplay: "toman" }, merchant })).toMatchObject({
      digits: "latn",
      irrDisplay: "toman",
    });
    expect(resolvePreferencesFrom({ user: { locale: "fa", digits: "roman", irrDisplay: "dinar" }, merchant })).toMatchObject({
      digits: "native",
      irrDisplay: "rial",
    });
  });

  it("puts an IRR merchant without a usable zone in Tehran", () => {
    expect(resolvePreferencesFrom({ merchant: { currency: "IRR", timeZone: "Mars/Base" } }).timeZone).toBe("Asia/Tehran");
    expect(resolvePreferencesFrom({ merchant: { currency: "USD", timeZone: "" } }).timeZone).toBe("UTC");
    expect(anonymousPreferences()).toMatchObject({ locale: "en", dir: "ltr", timeZone: "UTC" });
  });
});

describe("chartDirection", () => {
  it("mirrors axes, legend and margins in RTL", () => {
    const rtl = chartDirection("rtl");
    expect(rtl.xAxis).toEqual({ reversed: true });
    expect(rtl.yAxis).toEqual({ orientation: "right" });
    expect(rtl.secondaryYAxis).toEqual({ orientation: "left" });
    expect(rtl.legend.align).toBe("right");
    expect(rtl.tooltip.contentStyle).toMatchObject({ direction: "rtl", textAlign: "right" });
    expect(rtl.margin({ start: 40, end: 8, top: 4 })).toEqual({ top: 4, bottom: 0, left: 8, right: 40 });
    const ltr = chartDirection("ltr");
    expect(ltr.xAxis).toEqual({ reversed: false });
    expect(ltr.yAxis).toEqual({ orientation: "left" });
    expect(ltr.margin({ start: 40, end: 8 })).toEqual({ top: 0, bottom: 0, left: 40, right: 8 });
  });
});
