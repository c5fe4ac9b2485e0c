import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  IRANIAN_BANKS,
  IRANIAN_BINS,
  detectCard,
  formatPanGroups,
  isExpired,
  luhnValid,
  maskPan,
  normalizePan,
  parseExpiry,
} from "~/lib/card";
import { toPersianDigits } from "~/lib/digits";

/** Straight from the domain reference: BIN -> bank as named there. */
const REFERENCE_BINS: Array<[string, string]> = [
  ["603799", "Melli"],
  ["589210", "Sepah"],
  ["627648", "Tose'e Saderat"],
  ["627961", "Sanat-o-Madan"],
  ["603770", "Keshavarzi"],
  ["628023", "Maskan"],
  ["627760", "Post Bank"],
  ["502908", "Tose'e Ta'avon"],
  ["627412", "Eghtesad Novin"],
  ["622106", "Parsian"],
  ["627884", "Parsian"],
  ["639194", "Parsian"],
  ["502229", "Pasargad"],
  ["639347", "Pasargad"],
  ["627488", "Karafarin"],
  ["502910", "Karafarin"],
  ["621986", "Saman"],
  ["639346", "Sina"],
  ["639607", "Sarmayeh"],
  ["636214", "Ayandeh"],
  ["502806", "Shahr"],
  ["504706", "Shahr"],
  ["502938", "Dey"],
  ["603769", "Saderat"],
  ["610433", "Mellat"],
  ["991975", "Mellat"],
  ["627353", "Tejarat"],
  ["585983", "Tejarat"],
  ["589463", "Refah"],
  ["627381", "Ansar"],
  ["639599", "Ghavamin"],
  ["505416", "Gardeshgari"],
  ["636949", "Hekmat"],
  ["585947", "Middle East"],
  ["504172", "Resalat"],
  ["505785", "Iran Zamin"],
  ["606373", "Mehr Iran"],
  ["505801", "Kosar"],
  ["606256", "Melal"],
  ["628157", "Tose'e"],
  ["507677", "Noor"],
  ["636795", "Central Bank"],
];

/** Sheba bank codes from the reference. */
const REFERENCE_BANK_CODES: Record<string, string> = {
  "010": "Central Bank",
  "011": "Sanat-o-Madan",
  "012": "Mellat",
  "013": "Refah",
  "014": "Maskan",
  "015": "Sepah",
  "016": "Keshavarzi",
  "017": "Melli",
  "018": "Tejarat",
  "019": "Saderat",
  "020": "Tose'e Saderat",
  "021": "Post Bank",
  "022": "Tose'e Ta'avon",
  "051": "Tose'e",
  "052": "Ghavamin",
  "053": "Karafarin",
  "054": "Parsian",
  "055": "Eghtesad Novin",
  "056": "Saman",
  "057": "Pasargad",
  "058": "Sarmayeh",
  "059": "Sina",
  "060": "Mehr Iran",
  "061": "Shahr",
  "062": "Ayandeh",
  "063": "Ansar",
  "064": "Gardeshgari",
  "065": "Hekmat",
  "066": "Dey",
  "069": "Iran Zamin",
  "070": "Resalat",
  "073": "Kosar",
  "075": "Melal",
  "078": "Middle East",
  "079": "Mehr Eqtesad",
  "080": "Noor",
};

function luhnCheckDigit(body: string): string {
  // Independent implementation: double every second digit counting from the right of the full number.
  let sum = 0;
  const digits = body.split("").reverse().map(Number);
  digits.forEach((d, i) => {
    const v = i % 2 === 0 ? d * 2 : d;
    sum += v > 9 ? v - 9 : v;
  });
  return String((10 - (sum % 10)) % 10);
}

const digitString = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(""));

describe("normalizePan", () => {
  it("strips spaces, dashes and bidi marks and converts Persian/Arabic digits", () => {
    expect(normalizePan("6037-9912 3456 ۷۸۹۰")).toBe("6037991234567890");
    expect(normalizePan("\u200E٦٠٣٧\u00A09912\t3456–7890")).toBe("6037991234567890");
    expect(normalizePan("")).toBe("");
  });

  it("leaves other characters for the validators to reject", () => {
    expect(normalizePan("4242x4242")).toBe("4242x4242");
  });
});

describe("luhnValid", () => {
  it.each([
    ["4242424242424242"],
    ["4111111111111111"],
    ["5555555555554444"],
    ["2223003122003222"],
    ["378282246310005"],
    ["6011111111111117"],
    ["6200000000000005"],
    ["4242 4242 4242 4242"],
    ["۴۲۴۲۴۲۴۲۴۲۴۲۴۲۴۲"],
    ["4000000000000000006"],
  ])("accepts %s", (pan) => {
    expect(luhnValid(pan)).toBe(true);
  });

  it.each([["4242424242424241"], [""], ["abcd"], ["0000000"], ["42424242424242424242"], ["4242-4242-4242-424x"]])(
    "rejects %j",
    (pan) => {
      expect(luhnValid(pan)).toBe(false);
    },
  );

  it("accepts any number completed with its check digit (property)", () => {
    fc.assert(
      fc.property(digitString(7, 18), (body) => {
        const pan = body + luhnCheckDigit(body);
        expect(luhnValid(pan)).toBe(true);
        expect(luhnValid(toPersianDigits(pan))).toBe(true);
      }),
    );
  });

  it("catches every single-digit error (property)", () => {
    fc.assert(
      fc.property(digitString(7, 18), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, index, delta) => {
        const pan = body + luhnCheckDigit(body);
        const i = index % pan.length;
        const changed = pan.slice(0, i) + String((Number(pan[i]) + delta) % 10) + pan.slice(i + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });

  it("catches adjacent transpositions except 09 <-> 90 (property)", () => {
    fc.assert(
      fc.property(digitString(7, 18), fc.nat(), (body, index) => {
        const pan = body + luhnCheckDigit(body);
        const i = index % (pan.length - 1);
        const a = pan[i]!;
        const b = pan[i + 1]!;
        fc.pre(a !== b && !((a === "0" && b === "9") || (a === "9" && b === "0")));
        const swapped = pan.slice(0, i) + b + a + pan.slice(i + 2);
        expect(luhnValid(swapped)).toBe(false);
      }),
    );
  });
});

describe("IRANIAN_BANKS", () => {
  it("has every Sheba bank code of the reference, with English and Persian names", () => {
    expect(Object.keys(IRANIAN_BANKS).sort()).toEqual(Object.keys(REFERENCE_BANK_CODES).sort());
    for (const [code, name] of Object.entries(REFERENCE_BANK_CODES)) {
      const bank = IRANIAN_BANKS[code]!;
      expect(bank.en).toContain(name);
      expect(bank.fa).toMatch(/[\u0600-\u06FF]/);
    }
  });
});

describe("detectCard", () => {
  it("maps every Iranian BIN of the reference to its bank", () => {
    expect(Object.keys(IRANIAN_BINS).sort()).toEqual(REFERENCE_BINS.map(([bin]) => bin).sort());
    for (const [bin, bankName] of REFERENCE_BINS) {
      const pan = bin + "1234567890";
      const card = detectCard(pan);
      expect(card.brand).toBe("shetab");
      expect(REFERENCE_BANK_CODES[card.bankCode!]).toBe(bankName);
      expect(card.bankName).toEqual(IRANIAN_BANKS[card.bankCode!]);
      expect(card.lengths).toEqual([16]);
      expect(card.cvcLength).toBe(4);
      expect(card.cvcLengths).toEqual([3, 4]);
    }
  });

  it("knows Melli in Persian", () => {
    expect(detectCard("۶۰۳۷ ۹۹")).toMatchObject({ brand: "shetab", bankCode: "017", bankName: { fa: "بانک ملی ایران" } });
  });

  it("checks Iranian BINs before UnionPay's 62", () => {
    expect(detectCard("6221061234567890")).toMatchObject({ brand: "shetab", bankCode: "054" });
    expect(detectCard("6219861234567890")).toMatchObject({ brand: "shetab", bankCode: "056" });
    expect(detectCard("6212341234567890").brand).toBe("unionpay");
    expect(detectCard("6200000000000005").brand).toBe("unionpay");
  });

  it.each<[string, string]>([
    ["4", "visa"],
    ["4242424242424242", "visa"],
    ["51", "mastercard"],
    ["55", "mastercard"],
    ["2221", "mastercard"],
    ["2720", "mastercard"],
    ["2223003122003222", "mastercard"],
    ["2220", "unknown"],
    ["2721", "unknown"],
    ["50", "shetab"],
    ["56", "unknown"],
    ["34", "amex"],
    ["37", "amex"],
    ["378282246310005", "amex"],
    ["35", "unknown"],
    ["6011", "discover"],
    ["601", "discover"],
    ["644", "discover"],
    ["649", "discover"],
    ["643", "unknown"],
    ["65", "discover"],
    ["6011111111111117", "discover"],
    ["62", "unknown"],
    ["6212", "unionpay"],
    ["6", "unknown"],
    ["5", "unknown"],
    ["60", "unknown"],
    ["6037", "shetab"],
    ["99", "shetab"],
    ["1", "unknown"],
    ["", "unknown"],
    ["abc", "unknown"],
  ])("detects %j as %s while typing", (prefix, brand) => {
    expect(detectCard(prefix).brand).toBe(brand);
  });

  it("names the bank only once the prefix identifies it", () => {
    expect(detectCard("6037").bankCode).toBeUndefined();
    expect(detectCard("60379").bankCode).toBe("017");
    expect(detectCard("5022").bankCode).toBe("057");
    expect(detectCard("991").bankCode).toBe("012");
    expect(detectCard("4242").bankCode).toBeUndefined();
  });

  it("gives lengths and CVC sizes per brand", () => {
    expect(detectCard("4")).toMatchObject({ lengths: [13, 16, 19], cvcLength: 3 });
    expect(detectCard("51")).toMatchObject({ lengths: [16], cvcLength: 3 });
    expect(detectCard("34")).toMatchObject({ lengths: [15], cvcLength: 4 });
    expect(detectCard("").lengths).toContain(19);
  });

  it("returns fresh objects callers cannot use to corrupt the tables", () => {
    const card = detectCard("603799");
    card.bankName!.en = "tampered";
    card.lengths.push(99);
    expect(detectCard("603799").bankName!.en).toBe("Melli Bank");
    expect(detectCard("603799").lengths).toEqual([16]);
  });

  it("never throws and is stable once six digits are known (property)", () => {
    fc.assert(
      fc.property(digitString(6, 19), (pan) => {
        const full = detectCard(pan);
        expect(detectCard(pan.slice(0, 6)).brand).toBe(full.brand);
        if (IRANIAN_BINS[pan.slice(0, 6)]) expect(full.brand).toBe("shetab");
      }),
    );
  });
});

describe("formatPanGroups", () => {
  it.each([
    ["6037991234567890", "6037 9912 3456 7890"],
    ["6037-9912-3456-7890", "6037 9912 3456 7890"],
    ["378282246310005", "3782 822463 10005"],
    ["603799", "6037 99"],
    ["4000000000000000006", "4000 0000 0000 0000 006"],
    ["", ""],
  ])("%s -> %s", (pan, expected) => {
    expect(formatPanGroups(pan)).toBe(expected);
  });

  it("only adds spaces (property)", () => {
    fc.assert(
      fc.property(digitString(0, 19), (pan) => {
        expect(formatPanGroups(pan).replace(/ /g, "")).toBe(pan);
      }),
    );
  });
});

describe("maskPan", () => {
  it.each([
    ["603799", "1234", undefined, "603799******1234"],
    ["378282", "0005", undefined, "378282*****0005"],
    ["424242", "4242", 19, "424242*********4242"],
    ["42424242", "4242", undefined, "42424242****4242"],
    ["42424242", "4242", 15, "424242*****4242"],
    ["6037991234567890", "7890", undefined, "603799******7890"],
    ["۶۰۳۷۹۹", "۱۲۳۴", undefined, "603799******1234"],
    ["603799", "12345", undefined, "603799**********"],
    ["603799", "abcd", undefined, "603799**********"],
    ["", "1234", undefined, "************1234"],
  ])("maskPan(%j, %j, %j) -> %s", (bin, last4, length, expected) => {
    expect(maskPan(bin, last4, length)).toBe(expected);
  });

  it("never shows more than the first 6 and last 4 digits of a PAN passed by mistake (property)", () => {
    fc.assert(
      fc.property(digitString(13, 19), (pan) => {
        const masked = maskPan(pan, pan.slice(-4), pan.length);
        expect(masked).toHaveLength(pan.length);
        expect(masked.replace(/\*/g, "")).toBe(pan.slice(0, 6) + pan.slice(-4));
      }),
    );
  });
});

describe("parseExpiry", () => {
  it.each<[string, { month: number; year: number } | null]>([
    ["12/26", { month: 12, year: 2026 }],
    ["01/2030", { month: 1, year: 2030 }],
    [" 3 / 27 ", { month: 3, year: 2027 }],
    ["۰۵/۲۸", { month: 5, year: 2028 }],
    ["13/26", null],
    ["00/26", null],
    ["12/2", null],
    ["12/202", null],
    ["1226", null],
    ["12-26", null],
    ["", null],
    ["ab/cd", null],
    ["12/1999", null],
  ])("%j -> %j", (input, expected) => {
    expect(parseExpiry(input)).toEqual(expected);
  });
});

describe("isExpired", () => {
  it("is valid through the last day of the expiry month", () => {
    const expiry = { month: 6, year: 2025 };
    expect(isExpired(expiry, new Date("2025-06-30T23:59:59Z"))).toBe(false);
    expect(isExpired(expiry, new Date("2025-07-01T00:00:00Z"))).toBe(true);
    expect(isExpired(expiry, new Date("2024-12-01T00:00:00Z"))).toBe(false);
    expect(isExpired(expiry, new Date("2026-01-01T00:00:00Z"))).toBe(true);
    expect(isExpired({ month: 12, year: 2025 }, new Date("2026-01-01T00:00:00Z"))).toBe(true);
  });
});
