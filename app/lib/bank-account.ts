/**
 * Bank account validation for payout destinations: Sheba (Iranian IBAN),
 * generic IBAN and US ABA routing numbers. A payout sent to a mistyped
 * account can take days to come back, so we check everything the format
 * allows before a merchant can save it.
 */
import { IRANIAN_BANKS, type BankName } from "~/lib/card";
import { toLatinDigits } from "~/lib/digits";

export type ShebaErrorCode = "empty" | "prefix" | "characters" | "length" | "checksum" | "unknown_bank";
export type ShebaResult =
  | { ok: true; normalized: string; bankCode: string; bankName: BankName }
  | { ok: false; reason: string; code: ShebaErrorCode };

export type IbanErrorCode = "empty" | "format" | "length" | "checksum";
export type IbanResult =
  | { ok: true; normalized: string; country: string }
  | { ok: false; reason: string; code: IbanErrorCode };

export type AbaErrorCode = "empty" | "format" | "prefix" | "checksum";
export type AbaResult = { ok: true; normalized: string } | { ok: false; reason: string; code: AbaErrorCode };

/** A refusal: the code a form maps to its field's message, and the reason in words. */
function invalid<C extends string>(code: C, reason: string): { ok: false; reason: string; code: C } {
  return { ok: false, code, reason };
}

/** Whitespace (including NBSP), dashes and bidi marks are how accounts get printed and pasted; none of them carry meaning. */
function compact(input: string): string {
  return toLatinDigits(String(input))
    .replace(/[\s\u200E\u200F\u061C\u2066-\u2069\-\u2010-\u2015]/g, "")
    .toUpperCase();
}

/** ISO 7064 mod 97-10 over an IBAN-shaped string: first four characters moved to the end, letters as 10..35. */
function ibanMod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    if (code >= 48 && code <= 57) {
      remainder = (remainder * 10 + (code - 48)) % 97;
    } else {
      remainder = (remainder * 100 + (code - 55)) % 97;
    }
  }
  return remainder;
}

export function validateSheba(input: string): ShebaResult {
  const s = compact(input);
  if (s === "") return invalid("empty", "Enter a Sheba number");
  if (!s.startsWith("IR")) {
    return invalid("prefix", /^[0-9]{24}$/.test(s) ? "A Sheba number starts with IR: add IR before the 24 digits" : "A Sheba number starts with IR");
  }
  const digits = s.slice(2);
  if (!/^[0-9]*$/.test(digits)) {
    return invalid("characters", "After IR, a Sheba number has only digits");
  }
  if (digits.length !== 24) {
    return invalid("length", `A Sheba number is IR followed by 24 digits; this one has ${digits.length}`);
  }
  if (ibanMod97(s) !== 1) {
    return invalid("checksum", "This Sheba number is not valid: its check digits do not match. Check it for typos");
  }
  const bankCode = s.slice(4, 7);
  const bankName = IRANIAN_BANKS[bankCode];
  if (!bankName) {
    return invalid("unknown_bank", `Bank code ${bankCode} in this Sheba number does not belong to a known Iranian bank`);
  }
  return { ok: true, normalized: s, bankCode, bankName: { ...bankName } };
}

/** IBAN lengths from the SWIFT IBAN registry for the countries merchants are likely to use. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27,
  BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28,
  EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IR: 26, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21,
  LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25,
  SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/**
 * Generic IBAN check: shape, the registry length for known countries (15-34
 * characters otherwise), and mod 97. For Iranian accounts prefer
 * validateSheba, which also checks the bank code.
 */
export function validateIban(input: string): IbanResult {
  const s = compact(input);
  if (s === "") return invalid("empty", "Enter an IBAN");
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(s)) {
    return invalid("format", "An IBAN starts with a two-letter country code and two check digits, followed by letters and digits");
  }
  const country = s.slice(0, 2);
  const expected = IBAN_LENGTHS[country];
  if (expected !== undefined ? s.length !== expected : s.length < 15 || s.length > 34) {
    return invalid("length", expected !== undefined ? `An IBAN from ${country} has ${expected} characters; this one has ${s.length}` : `An IBAN has 15 to 34 characters; this one has ${s.length}`);
  }
  // Check digits 00, 01 and 99 can never be produced by ISO 13616's algorithm.
  const check = Number(s.slice(2, 4));
  if (check < 2 || check > 98 || ibanMod97(s) !== 1) {
    return invalid("checksum", "This IBAN is not valid: its check digits do not match. Check it for typos");
  }
  return { ok: true, normalized: s, country };
}

/**
 * US ABA routing number: 9 digits, weights 3-7-1 sum to a multiple of 10, and
 * a first-two-digit range the Federal Reserve actually assigns (00-12, 21-32,
 * 61-72, 80). The range check catches transposed digits the checksum misses.
 */
export function validateAbaRouting(routing: string): AbaResult {
  const s = compact(routing);
  if (s === "") return invalid("empty", "Enter a routing number");
  if (!/^[0-9]{9}$/.test(s)) {
    return invalid("format", "A routing number has exactly 9 digits");
  }
  const prefix = Number(s.slice(0, 2));
  const prefixOk =
    (prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80) &&
    s !== "000000000";
  if (!prefixOk) {
    return invalid("prefix", `No routing number starts with ${s.slice(0, 2)}`);
  }
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (s.charCodeAt(i) - 48) * (weights[i] ?? 0);
  if (sum % 10 !== 0) {
    return invalid("checksum", "This routing number is not valid: its check digit does not match. Check it for typos");
  }
  return { ok: true, normalized: s };
}

/**
 * '****1234'. The mask has a fixed width so it does not reveal the account's
 * length, and an identifier of four characters or fewer is masked entirely.
 */
export function maskAccount(str: string): string {
  const s = compact(str);
  return s.length <= 4 ? "****" : `****${s.slice(-4)}`;
}

/**
 * Builds a valid Sheba from a 3-digit bank code and up to 19 account digits
 * (left-padded with zeros), computing the ISO 7064 check digits. For seeds,
 * fixtures and tests; it does not check that the bank code is known.
 */
export function makeSheba(bankCode: string, account: string): string {
  const code = compact(bankCode);
  const acct = compact(account);
  if (!/^[0-9]{3}$/.test(code)) throw new RangeError(`Bank code must be 3 digits, got ${JSON.stringify(bankCode)}`);
  if (!/^[0-9]{1,19}$/.test(acct)) {
    throw new RangeError(`Account must be 1 to 19 digits, got ${JSON.stringify(account)}`);
  }
  const bban = code + acct.padStart(19, "0");
  const check = 98 - ibanMod97(`IR00${bban}`);
  return `IR${String(check).padStart(2, "0")}${bban}`;
}
