import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  IBAN_LENGTHS,
  makeSheba,
  maskAccount,
  validateAbaRouting,
  validateIban,
  validateSheba,
} from "~/lib/bank-account";
import { IRANIAN_BANKS } from "~/lib/card";
import { toPersianDigits } from "~/lib/digits";

const bankCodeArb = fc.constantFrom(...Object.keys(IRANIAN_BANKS));
const accountArb = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }).map((a) => a.join(""));

function expectCode(result: { ok: boolean; code?: string }, code: string) {
  expect(result.ok).toBe(false);
  expect(result.code).toBe(code);
}

describe("validateSheba", () => {
  it.each<[string, string]>([
    ["IR820540102680020817909002", "054"],
    ["IR580540105180021273113007", "054"],
    ["IR710570029971601460641001", "057"],
  ])("accepts %s (bank %s)", (sheba, bankCode) => {
    const result = validateSheba(sheba);
    expect(result).toEqual({
      ok: true,
      normalized: sheba,
      bankCode,
      bankName: IRANIAN_BANKS[bankCode],
    });
  });

  it("accepts spaces, lowercase, dashes, bidi marks and Persian digits", () => {
    const expected = "IR820540102680020817909002";
    for (const input of [
      "ir82 0540 1026 8002 0817 9090 02",
      " IR82-0540-1026-8002-0817-9090-02 ",
      `IR${toPersianDigits("820540102680020817909002")}`,
      "\u200EIR820540102680020817909002\u200F",
      "IR82\u00A00540\u00A01026\u00A08002\u00A00817\u00A09090\u00A002",
    ]) {
      const result = validateSheba(input);
      expect(result.ok && result.normalized).toBe(expected);
    }
  });

  it("names the bank", () => {
    const result = validateSheba(makeSheba("017", "123456789"));
    expect(result).toMatchObject({ ok: true, bankCode: "017", bankName: { en: "Melli Bank", fa: "بانک ملی ایران" } });
  });

  it("gives a specific reason for each failure", () => {
    expectCode(validateSheba(""), "empty");
    expectCode(validateSheba("   "), "empty");
    expectCode(validateSheba("DE89370400440532013000"), "prefix");
    expect(validateSheba("820540102680020817909002")).toMatchObject({ code: "prefix", reason: expect.stringMatching(/add IR/) });
    expectCode(validateSheba("IR82054010268002081790900A"), "characters");
    expect(validateSheba("IR82054010268002081790900")).toMatchObject({ code: "length", reason: expect.stringMatching(/this one has 23/) });
    expectCode(validateSheba("IR8205401026800208179090021"), "length");
    expectCode(validateSheba("IR"), "length");
    expectCode(validateSheba("IR830540102680020817909002"), "checksum");
    expectCode(validateSheba("IR820540102680020817909020"), "checksum");
    expect(validateSheba(makeSheba("099", "1"))).toMatchObject({ code: "unknown_bank", reason: expect.stringMatching(/099/) });
    expectCode(validateSheba("IR062960000000100324200001"), "unknown_bank");
  });

  it("accepts every makeSheba output with its bank (property)", () => {
    fc.assert(
      fc.property(bankCodeArb, accountArb, (bankCode, account) => {
        const sheba = makeSheba(bankCode, account);
        expect(sheba).toMatch(/^IR[0-9]{24}$/);
        expect(validateSheba(sheba)).toMatchObject({ ok: true, normalized: sheba, bankCode });
        expect(validateIban(sheba)).toMatchObject({ ok: true, country: "IR" });
      }),
    );
  });

  it("rejects every single-digit error (property)", () => {
    fc.assert(
      fc.property(bankCodeArb, accountArb, fc.integer({ min: 2, max: 25 }), fc.integer({ min: 1, max: 9 }), (bank, account, i, delta) => {
        const sheba = makeSheba(bank, account);
        const changed = sheba.slice(0, i) + String((Number(sheba[i]) + delta) % 10) + sheba.slice(i + 1);
        expect(validateSheba(changed).ok).toBe(false);
      }),
    );
  });

  it("rejects every adjacent transposition (property)", () => {
    fc.assert(
      fc.property(bankCodeArb, accountArb, fc.integer({ min: 2, max: 24 }), (bank, account, i) => {
        const sheba = makeSheba(bank, account);
        fc.pre(sheba[i] !== sheba[i + 1]);
        const swapped = sheba.slice(0, i) + sheba[i + 1] + sheba[i] + sheba.slice(i + 2);
        expect(validateSheba(swapped).ok).toBe(false);
      }),
    );
  });
});

describe("makeSheba", () => {
  it("pads the account to 19 digits and computes check digits", () => {
    const sheba = makeSheba("054", "102680020817909002");
    expect(sheba).toBe("IR820540102680020817909002");
    expect(makeSheba("017", "1")).toMatch(/^IR[0-9]{2}0170{18}1$/);
  });

  it("rejects malformed input", () => {
    expect(() => makeSheba("17", "1")).toThrow(RangeError);
    expect(() => makeSheba("0170", "1")).toThrow(RangeError);
    expect(() => makeSheba("017", "")).toThrow(RangeError);
    expect(() => makeSheba("017", "1".repeat(20))).toThrow(RangeError);
    expect(() => makeSheba("017", "12a")).toThrow(RangeError);
  });
});

describe("validateIban", () => {
  it.each<[string, string, string]>([
    ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE"],
    ["GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "GB"],
    ["gb82 west 1234 5698 7654 32", "GB82WEST12345698765432", "GB"],
    ["NL91ABNA0417164300", "NL91ABNA0417164300", "NL"],
    ["FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606", "FR"],
    ["NO9386011117947", "NO9386011117947", "NO"],
    ["BE68539007547034", "BE68539007547034", "BE"],
    ["CH9300762011623852957", "CH9300762011623852957", "CH"],
    ["AE070331234567890123456", "AE070331234567890123456", "AE"],
    ["TR330006100519786457841326", "TR330006100519786457841326", "TR"],
    ["IR820540102680020817909002", "IR820540102680020817909002", "IR"],
  ])("accepts %s", (input, normalized, country) => {
    expect(validateIban(input)).toEqual({ ok: true, normalized, country });
  });

  it("rejects with a specific reason", () => {
    expectCode(validateIban(""), "empty");
    expectCode(validateIban("DE89370400440532013001"), "checksum");
    expectCode(validateIban("DE88370400440532013000"), "checksum");
    expect(validateIban("DE8937040044053201300")).toMatchObject({ code: "length", reason: expect.stringMatching(/DE has 22/) });
    expectCode(validateIban("GB82WEST123456987654"), "length");
    expectCode(validateIban("D989370400440532013000"), "format");
    expectCode(validateIban("DEXX370400440532013000"), "format");
    expectCode(validateIban("DE89-3704-0044-0532-0130-0!"), "format");
    expectCode(validateIban("XX12"), "format");
    expectCode(validateIban("XX12345"), "length");
    expectCode(validateIban("XX12" + "1".repeat(40)), "length");
  });

  it("never accepts check digits 00, 01 or 99", () => {
    // Same BBAN, every check digit: exactly one is valid and it is within 02..98.
    const valid = [];
    for (let c = 0; c <= 99; c++) {
      const iban = `DE${String(c).padStart(2, "0")}370400440532013000`;
      if (validateIban(iban).ok) valid.push(c);
    }
    expect(valid).toEqual([89]);
    const cheat = "XY00" + "0".repeat(16);
    expectCode(validateIban(cheat), "checksum");
  });

  it("validates countries outside the table by checksum and a 15-34 length", () => {
    expect(IBAN_LENGTHS.XY).toBeUndefined();
    const bban = "12345678901234";
    // Check digits computed by hand-rolled mod 97 over "12345678901234" + "XY00".
    let rem = 0;
    for (const ch of bban + "3334" + "00") rem = (rem * 10 + Number(ch)) % 97;
    const iban = `XY${String(98 - rem).padStart(2, "0")}${bban}`;
    expect(validateIban(iban)).toEqual({ ok: true, normalized: iban, country: "XY" });
  });
});

describe("validateAbaRouting", () => {
  it.each([["021000021"], ["011000015"], ["026009593"], ["121000358"], ["322271627"], ["111000025"], ["091000019"], ["0210 0002 1"]])(
    "accepts %s",
    (routing) => {
      expect(validateAbaRouting(routing)).toEqual({ ok: true, normalized: routing.replace(/ /g, "") });
    },
  );

  it("rejects with a specific reason", () => {
    expectCode(validateAbaRouting(""), "empty");
    expectCode(validateAbaRouting("02100002"), "format");
    expectCode(validateAbaRouting("0210000210"), "format");
    expectCode(validateAbaRouting("02100002a"), "format");
    expectCode(validateAbaRouting("021000022"), "checksum");
    expectCode(validateAbaRouting("012000021"), "checksum");
    expectCode(validateAbaRouting("000000000"), "prefix");
    expectCode(validateAbaRouting("131000005"), "prefix");
    expectCode(validateAbaRouting("501000005"), "prefix");
  });

  it("catches every single-digit error (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom("021000021", "011000015", "026009593", "322271627"), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 }), (routing, i, delta) => {
        const changed = routing.slice(0, i) + String((Number(routing[i]) + delta) % 10) + routing.slice(i + 1);
        expect(validateAbaRouting(changed).ok).toBe(false);
      }),
    );
  });
});

describe("maskAccount", () => {
  it.each([
    ["IR820540102680020817909002", "****9002"],
    ["IR82 0540 1026 8002 0817 9090 02", "****9002"],
    ["12 34 56", "****3456"],
    ["12345", "****2345"],
    ["1234", "****"],
    ["", "****"],
  ])("%j -> %s", (input, expected) => {
    expect(maskAccount(input)).toBe(expected);
  });
});
