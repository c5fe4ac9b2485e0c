import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIsoLocal } from "~/lib/dates/format";
import { contentDisposition, formatAmount, localDateTimeFormatter, slugForFileName, zoneForFileName } from "~/modules/exports/format";

describe("localDateTimeFormatter", () => {
  it("writes a payment at 21:00 UTC on the next day in Tehran and the same day in New York", () => {
    const t = new Date("2025-01-10T21:00:00Z");
    expect(localDateTimeFormatter("Asia/Tehran")(t)).toBe("2025-01-11 00:30:00");
    expect(localDateTimeFormatter("America/New_York")(t)).toBe("2025-01-10 16:00:00");
    expect(localDateTimeFormatter("UTC")(t)).toBe("2025-01-10 21:00:00");
  });

  it("agrees with formatIsoLocal to the second, across DST changes, in every zone we care about", () => {
    const zones = ["Asia/Tehran", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"];
    const start = Date.UTC(2019, 0, 1);
    const end = Date.UTC(2027, 0, 1);
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.array(fc.integer({ min: start, max: end }), { minLength: 1, maxLength: 40 }), (tz, instants) => {
        const fmt = localDateTimeFormatter(tz);
        // Sorted, as exports read them: consecutive rows share the cached offset.
        for (const ms of instants.sort((a, b) => a - b)) {
          const d = new Date(ms);
          expect(fmt(d)).toBe(formatIsoLocal(d, tz).slice(0, 19).replace("T", " "));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is exact in the hour around New York's spring-forward and fall-back changes", () => {
    const fmt = localDateTimeFormatter("America/New_York");
    for (const base of [Date.UTC(2025, 2, 9, 6, 0), Date.UTC(2025, 10, 2, 5, 0)]) {
      for (let m = 0; m <= 180; m += 7) {
        const d = new Date(base + m * 60_000 + 13_000);
        expect(fmt(d)).toBe(formatIsoLocal(d, "America/New_York").slice(0, 19).replace("T", " "));
      }
    }
  });
});

describe("formatAmount", () => {
  it("writes major-unit decimals or minor-unit integers, negative for money going out", () => {
    expect(formatAmount(-1250n, "USD", "major")).toBe("-12.50");
    expect(formatAmount(-1250n, "USD", "minor")).toBe("-1250");
    expect(formatAmount(2_400_000n, "IRR", "major")).toBe("2400000");
    expect(formatAmount(5n, "USD", "major")).toBe("0.05");
  });
});

describe("file names", () => {
  it("states the merchant and zone in a portable form", () => {
    expect(slugForFileName("Demo Coffee Roasters", "mer_x")).toBe("demo-coffee-roasters");
    expect(slugForFileName("قهوه دمو", "mer_x")).toBe("قهوه-دمو");
    expect(slugForFileName("!!!", "mer_x")).toBe("mer_x");
    expect(zoneForFileName("America/New_York")).toBe("America-New_York");
  });

  it("puts an ASCII fallback and the UTF-8 name in Content-Disposition", () => {
    const h = contentDisposition("payments_قهوه_all-time_Asia-Tehran.csv");
    expect(h).toContain('filename="payments_');
    expect(h).toContain("filename*=UTF-8''payments_%D9%82");
    expect(h).not.toMatch(/[^\x20-\x7E]/);
  });
});
