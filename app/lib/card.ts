/**
 * Card number helpers for the virtual terminal and for displaying stored card
 * metadata. Nothing here stores or logs a PAN: callers keep only BIN + last 4.
 */
import { toLatinDigits } from "~/lib/digits";

export interface BankName {
  en: string;
  fa: string;
}

/** Iranian bank codes as they appear in digits 5-7 of a Sheba number. */
export const IRANIAN_BANKS: Readonly<Record<string, BankName>> = {
  "010": { en: "Central Bank of Iran", fa: "بانک مرکزی جمهوری اسلامی ایران" },
  "011": { en: "Sanat-o-Madan Bank", fa: "بانک صنعت و معدن" },
  "012": { en: "Mellat Bank", fa: "بانک ملت" },
  "013": { en: "Refah Bank", fa: "بانک رفاه کارگران" },
  "014": { en: "Maskan Bank", fa: "بانک مسکن" },
  "015": { en: "Sepah Bank", fa: "بانک سپه" },
  "016": { en: "Keshavarzi Bank", fa: "بانک کشاورزی" },
  "017": { en: "Melli Bank", fa: "بانک ملی ایران" },
  "018": { en: "Tejarat Bank", fa: "بانک تجارت" },
  "019": { en: "Saderat Bank", fa: "بانک صادرات ایران" },
  "020": { en: "Tose'e Saderat Bank", fa: "بانک توسعه صادرات ایران" },
  "021": { en: "Post Bank", fa: "پست بانک ایران" },
  "022": { en: "Tose'e Ta'avon Bank", fa: "بانک توسعه تعاون" },
  "051": { en: "Tose'e Credit Institution", fa: "موسسه اعتباری توسعه" },
  "052": { en: "Ghavamin Bank", fa: "بانک قوامین" },
  "053": { en: "Karafarin Bank", fa: "بانک کارآفرین" },
  "054": { en: "Parsian Bank", fa: "بانک پارسیان" },
  "055": { en: "Eghtesad Novin Bank", fa: "بانک اقتصاد نوین" },
  "056": { en: "Saman Bank", fa: "بانک سامان" },
  "057": { en: "Pasargad Bank", fa: "بانک پاسارگاد" },
  "058": { en: "Sarmayeh Bank", fa: "بانک سرمایه" },
  "059": { en: "Sina Bank", fa: "بانک سینا" },
  "060": { en: "Mehr Iran Bank", fa: "بانک قرض‌الحسنه مهر ایران" },
  "061": { en: "Shahr Bank", fa: "بانک شهر" },
  "062": { en: "Ayandeh Bank", fa: "بانک آینده" },
  "063": { en: "Ansar Bank", fa: "بانک انصار" },
  "064": { en: "Gardeshgari Bank", fa: "بانک گردشگری" },
  "065": { en: "Hekmat Bank", fa: "بانک حکمت ایرانیان" },
  "066": { en: "Dey Bank", fa: "بانک دی" },
  "069": { en: "Iran Zamin Bank", fa: "بانک ایران زمین" },
  "070": { en: "Resalat Bank", fa: "بانک قرض‌الحسنه رسالت" },
  "073": { en: "Kosar Credit Institution", fa: "موسسه اعتباری کوثر" },
  "075": { en: "Melal Credit Institution", fa: "موسسه اعتباری ملل" },
  "078": { en: "Middle East Bank", fa: "بانک خاورمیانه" },
  "079": { en: "Mehr Eqtesad Bank", fa: "بانک مهر اقتصاد" },
  "080": { en: "Noor Credit Institution", fa: "موسسه اعتباری نور" },
};

/** First six digits of Shetab cards -> bank code (a key of IRANIAN_BANKS). */
export const IRANIAN_BINS: Readonly<Record<string, string>> = {
  "603799": "017", // Melli
  "589210": "015", // Sepah
  "627648": "020", // Tose'e Saderat
  "627961": "011", // Sanat-o-Madan
  "603770": "016", // Keshavarzi
  "628023": "014", // Maskan
  "627760": "021", // Post Bank
  "502908": "022", // Tose'e Ta'avon
  "627412": "055", // Eghtesad Novin
  "622106": "054", // Parsian
  "627884": "054", // Parsian
  "639194": "054", // Parsian
  "502229": "057", // Pasargad
  "639347": "057", // Pasargad
  "627488": "053", // Karafarin
  "502910": "053", // Karafarin
  "621986": "056", // Saman
  "639346": "059", // Sina
  "639607": "058", // Sarmayeh
  "636214": "062", // Ayandeh
  "502806": "061", // Shahr
  "504706": "061", // Shahr
  "502938": "066", // Dey
  "603769": "019", // Saderat
  "610433": "012", // Mellat
  "991975": "012", // Mellat
  "627353": "018", // Tejarat
  "585983": "018", // Tejarat
  "589463": "013", // Refah
  "627381": "063", // Ansar
  "639599": "052", // Ghavamin
  "505416": "064", // Gardeshgari
  "636949": "065", // Hekmat
  "585947": "078", // Middle East
  "504172": "070", // Resalat
  "505785": "069", // Iran Zamin
  "606373": "060", // Mehr Iran
  "505801": "073", // Kosar
  "606256": "075", // Melal
  "628157": "051", // Tose'e
  "507677": "080", // Noor
  "636795": "010", // Central Bank
};

export type CardBrand = "visa" | "mastercard" | "amex" | "discover" | "unionpay" | "shetab" | "unknown";

export interface CardInfo {
  brand: CardBrand;
  bankCode?: string;
  bankName?: BankName;
  /** Valid PAN lengths for the brand. */
  lengths: number[];
  /** Longest CVC/CVV2 the brand uses: size the input with it. */
  cvcLength: number;
  /** Every CVC length the brand uses (Shetab banks issue both 3- and 4-digit CVV2). */
  cvcLengths: number[];
}

// Strips what people and clipboards put between digits; Persian/Arabic digits become Latin.
export function normalizePan(input: string): string {
  return toLatinDigits(String(input)).replace(/[\s\u200E\u200F\u061C\u2066-\u2069\-\u2010-\u2015\u2212]/g, "");
}

/** Luhn (mod 10) check on a whole PAN of 8-19 digits (ISO/IEC 7812); false for anything else. */
/**
 * A number no issuer can have, whatever its check digit: all zeros, an issuer number
 * (BIN) of zeros, a leading 0 (ISO/IEC 7812 gives major industry identifier 0 to no
 * card issuer), or a length its brand does not use. The API answers card_number_invalid,
 * the terminal form a sentence; the sandbox provider refuses it too.
 */
export function impossiblePan(pan: string): "zeros" | "bin" | "brand_length" | null {
  if (/^0+$/.test(pan)) return "zeros";
  if (pan.startsWith("0")) return "bin";
  const info = detectCard(pan);
  if (info.brand !== "unknown" && !info.lengths.includes(pan.length)) return "brand_length";
  return null;
}

export function luhnValid(pan: string): boolean {
  const digits = normalizePan(pan);
  if (!/^[0-9]{8,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

interface BrandRule {
  brand: Exclude<CardBrand, "unknown" | "shetab">;
  /** Inclusive range of prefixes of equal length. */
  low: string;
  high: string;
}

const INTERNATIONAL_RULES: readonly BrandRule[] = [
  { brand: "visa", low: "4", high: "4" },
  { brand: "mastercard", low: "51", high: "55" },
  { brand: "mastercard", low: "2221", high: "2720" },
  { brand: "amex", low: "34", high: "34" },
  { brand: "amex", low: "37", high: "37" },
  { brand: "discover", low: "6011", high: "6011" },
  { brand: "discover", low: "644", high: "649" },
  { brand: "discover", low: "65", high: "65" },
  { brand: "unionpay", low: "62", high: "62" },
];

const BRAND_SHAPE: Record<CardBrand, { lengths: number[]; cvcLengths: number[] }> = {
  visa: { lengths: [13, 16, 19], cvcLengths: [3] },
  mastercard: { lengths: [16], cvcLengths: [3] },
  amex: { lengths: [15], cvcLengths: [4] },
  discover: { lengths: [16, 17, 18, 19], cvcLengths: [3] },
  unionpay: { lengths: [16, 17, 18, 19], cvcLengths: [3] },
  shetab: { lengths: [16], cvcLengths: [3, 4] },
  unknown: { lengths: [12, 13, 14, 15, 16, 17, 18, 19], cvcLengths: [3, 4] },
};

/** Could a card starting with `digits` fall in [low, high]? (True while the prefix is still too short to tell.) */
function couldMatch(digits: string, low: string, high: string): boolean {
  const n = low.length;
  if (digits.length >= n) {
    const head = digits.slice(0, n);
    return head >= low && head <= high;
  }
  return digits.padEnd(n, "9") >= low && digits.padEnd(n, "0") <= high;
}

function info(brand: CardBrand, bankCode?: string): CardInfo {
  const shape = BRAND_SHAPE[brand];
  const result: CardInfo = {
    brand,
    lengths: [...shape.lengths],
    cvcLength: Math.max(...shape.cvcLengths),
    cvcLengths: [...shape.cvcLengths],
  };
  const bankName = bankCode === undefined ? undefined : IRANIAN_BANKS[bankCode];
  if (bankCode !== undefined && bankName) {
    result.bankCode = bankCode;
    result.bankName = { ...bankName };
  }
  return result;
}

/**
 * Brand (and Iranian issuer) of a card from its first digits, usable while the
 * number is being typed. Iranian BINs are checked first because several start
 * with 62, UnionPay's prefix. A prefix that could still become either brand
 * (e.g. "62", "5", "60") is 'unknown' rather than a guess that flips later.
 */
export function detectCard(panPrefix: string): CardInfo {
  const digits = normalizePan(panPrefix).replace(/[^0-9].*$/, "");
  if (digits === "") return info("unknown");

  const exact = IRANIAN_BINS[digits.slice(0, 6)];
  if (digits.length >= 6 && exact) return info("shetab", exact);

  const iranianBanks = new Set<string>();
  for (const [bin, bank] of Object.entries(IRANIAN_BINS)) {
    if (digits.length < 6 && bin.startsWith(digits)) iranianBanks.add(bank);
  }
  const brands = new Set<CardBrand>();
  if (iranianBanks.size > 0) brands.add("shetab");
  for (const rule of INTERNATIONAL_RULES) {
    if (couldMatch(digits, rule.low, rule.high)) brands.add(rule.brand);
  }
  if (brands.size !== 1) return info("unknown");
  const brand = brands.values().next().value ?? "unknown";
  if (brand === "shetab") return info("shetab", iranianBanks.size === 1 ? [...iranianBanks][0] : undefined);
  return info(brand);
}

/** Groups digits for display as typed: 4-4-4-4(-3), Amex 4-6-5. */
export function formatPanGroups(pan: string): string {
  const digits = normalizePan(pan);
  const sizes = detectCard(digits).brand === "amex" ? [4, 6, 5] : [4, 4, 4, 4, 3];
  const groups: string[] = [];
  let index = 0;
  for (const size of sizes) {
    if (index >= digits.length) break;
    groups.push(digits.slice(index, index + size));
    index += size;
  }
  if (index < digits.length) groups.push(digits.slice(index));
  return groups.join(" ");
}

/**
 * '603799******1234'. PCI DSS allows at most the BIN and the last four, so a
 * longer "bin" is cut to its first six digits (eight only for an 8-digit BIN
 * on a 16+ digit card) and anything that is not four digits of last4 is masked.
 */
/** A payment's card as it may be shown (maskPan), or null when its BIN or last four are not known. */
export function maskedCardOf(p: { cardBin: string | null; cardLast4: string | null }): string | null {
  return p.cardBin && p.cardLast4 ? maskPan(p.cardBin, p.cardLast4) : null;
}

export function maskPan(bin: string, last4: string, length?: number): string {
  const binDigits = normalizePan(bin);
  const lastDigits = normalizePan(last4);
  const brand = detectCard(binDigits).brand;
  const total = length !== undefined && Number.isInteger(length) && length >= 12 && length <= 19 ? length : brand === "amex" ? 15 : 16;
  const shownBin = /^[0-9]+$/.test(binDigits)
    ? binDigits.length === 8 && total >= 16
      ? binDigits
      : binDigits.slice(0, 6)
    : "";
  const shownLast = /^[0-9]{4}$/.test(lastDigits) ? lastDigits : "****";
  return shownBin + "*".repeat(Math.max(total - shownBin.length - 4, 0)) + shownLast;
}

export interface CardExpiry {
  month: number;
  /** Four-digit year. */
  year: number;
}

/** 'MM/YY' or 'MM/YYYY' (spaces around the slash and Persian digits allowed). Two-digit years are 20YY. */
export function parseExpiry(input: string): CardExpiry | null {
  const m = /^\s*([0-9]{1,2})\s*\/\s*([0-9]{2}|[0-9]{4})\s*$/.exec(toLatinDigits(String(input)));
  if (!m) return null;
  const month = Number(m[1]);
  const rawYear = m[2] ?? "";
  const year = rawYear.length === 2 ? 2000 + Number(rawYear) : Number(rawYear);
  if (month < 1 || month > 12 || year < 2000) return null;
  return { month, year };
}

/**
 * A card is good through the last day of its expiry month. We compare with
 * the UTC calendar month: the issuer's zone is unknown, and the provider makes
 * the final call anyway.
 */
export function isExpired(expiry: CardExpiry, now: Date): boolean {
  const currentIndex = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const expiryIndex = expiry.year * 12 + (expiry.month - 1);
  return currentIndex > expiryIndex;
}

/** The card form's fields (app/components/pay/card-form.tsx), as its refusals name them. */
export type CardFormField = "number" | "exp" | "cvc" | "form";

/**
 * Which field of the card form a provider's tokenization error belongs to, and what it
 * says: the same whether the browser asked the provider itself (JavaScript) or came
 * back from the provider's form with `card_error=<code>`.
 */
export function cardFormErrorOf(code: string): { field: CardFormField; key: "pay.card.error.number" | "pay.card.error.expiry" | "pay.card.error.cvc" | "pay.error.card" } {
  if (code === "invalid_number") return { field: "number", key: "pay.card.error.number" };
  if (code === "invalid_cvc") return { field: "cvc", key: "pay.card.error.cvc" };
  if (code === "invalid_expiry" || code === "expired_card") return { field: "exp", key: "pay.card.error.expiry" };
  return { field: "form", key: "pay.error.card" };
}
