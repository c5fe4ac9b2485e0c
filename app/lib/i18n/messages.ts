/**
 * Sentences for results that carry a code rather than words: amount parsing
 * (app/lib/money.ts), Sheba validation (app/lib/bank-account.ts), range presets
 * (app/lib/dates/) and list filters refused by app/modules/reporting. Each takes the reader's `t` (useT() in a component,
 * serverTranslator(prefs) in an action), so the same result reads in either language.
 */
import type { RangePreset } from "~/lib/dates/ranges";
import { LEDGER_YEAR_MAX, LEDGER_YEAR_MIN } from "~/lib/dates/zones";
import { jalaliDayText } from "~/lib/day-input";
import type { Formatter } from "~/lib/format";
import { toLatinDigits } from "~/lib/digits";
import { currencyExponent, isCurrencyCode, type ParseAmountResult } from "~/lib/money";
import type { ShebaResult } from "~/lib/bank-account";
import type { MessageKey } from "./en";
import { isMessageKey, type Translator } from "./translate";

const SHEBA_DIGITS = 24;

/** Why an amount was refused, in the reader's language and digits. */
export function amountErrorMessage(
  t: Translator,
  fmt: Pick<Formatter, "number">,
  result: Extract<ParseAmountResult, { ok: false }>,
): string {
  if (!result.code) return result.reason;
  const p = result.params ?? {};
  const code = typeof p.currency === "string" ? p.currency : "";
  // "rial amounts have no decimal places" reads better than "IRR amounts..." in both languages.
  const currency = code === "IRR" ? t("money.unit.rial") : code;
  const example =
    isCurrencyCode(code) && currencyExponent(code) > 0 ? fmt.number(1250.5) : fmt.number(1_250_000);
  switch (result.code) {
    case "unsupported_currency":
      return t("money.error.unsupported_currency", { currency });
    case "not_a_number":
      return t("money.error.not_a_number", { example });
    case "grouping":
      return t("money.error.grouping", { example });
    case "toman_fraction":
      return t("money.error.toman_fraction", { count: Number(p.count ?? 1) });
    case "no_fraction":
      return t("money.error.no_fraction", { currency });
    case "fraction_digits":
      return t("money.error.fraction_digits", { currency, count: Number(p.count ?? 2) });
    case "too_large":
      return t("money.error.too_large", { max: Number(p.max ?? 0), currency });
    default:
      return t(`money.error.${result.code}`);
  }
}

/** Why a Sheba number was refused, in the reader's language and digits. */
export function shebaErrorMessage(
  t: Translator,
  fmt: Pick<Formatter, "digits">,
  result: Extract<ShebaResult, { ok: false }>,
  input: string,
): string {
  switch (result.code) {
    case "prefix":
      return t("bank.shebaError.prefix", { length: SHEBA_DIGITS });
    case "length": {
      const digits = toLatinDigits(input).replace(/[^0-9]/g, "").length;
      return t("bank.shebaError.length", { length: SHEBA_DIGITS, count: digits });
    }
    case "unknown_bank": {
      const bankCode = toLatinDigits(input).replace(/[^0-9A-Za-z]/g, "").slice(4, 7);
      return t("bank.shebaError.unknown_bank", { code: fmt.digits(bankCode) });
    }
    default:
      return t(`bank.shebaError.${result.code}`);
  }
}

const PRESET_NUMBERS: Partial<Record<RangePreset, { days?: number; months?: number }>> = {
  "7d": { days: 7 },
  "30d": { days: 30 },
  "90d": { days: 90 },
  "12m": { months: 12 },
};

/** "Last 7 days" / "۷ روز گذشته", "This Jalali month" / "ماه جاری"... */
export function rangePresetLabel(t: Translator, preset: RangePreset): string {
  return t(`dates.range.${preset}`, PRESET_NUMBERS[preset]);
}

/** "Chrome on macOS" / "Chrome روی macOS"; product names stay as they are. */
export function deviceLabel(t: Translator, d: { browser: string | null; os: string | null; raw: string }): string {
  if (d.browser && d.os) return t("device.on", { browser: d.browser, os: d.os });
  return d.browser ?? d.os ?? (d.raw || t("device.unknown"));
}

/** An audit action ("staff.role_change") in words; an action without a message shows its name. */
export function auditActionLabel(t: Translator, action: string): string {
  const key = `auditAction.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

/** What an audit event was about ("user", "terminal"...) in words. */
export function auditTargetLabel(t: Translator, type: string): string {
  const key = `auditTarget.${type}`;
  return isMessageKey(key) ? t(key) : type;
}

/** Params of a Localized message: values, or other messages translated first (a role's name in a sentence). */
export type LocalizedParams = Readonly<Record<string, string | number | bigint | Localized>>;

/**
 * A sentence a server module decided on, as its catalog key: domain errors carry one
 * beside their English `message` (kept for logs and the audit trail), and the route
 * says it in the reader's language with `localize(t, error.i18n)`.
 */
export interface Localized {
  key: MessageKey;
  params?: LocalizedParams;
}

export function localize(t: Translator, m: Localized): string {
  if (!m.params) return t(m.key);
  const params: Record<string, string | number | bigint> = {};
  for (const [k, v] of Object.entries(m.params)) params[k] = typeof v === "object" ? localize(t, v) : v;
  return t(m.key, params);
}

/** The reader's sentence for an error that may carry a Localized one, else its message as it is. */
export function errorText(t: Translator, e: { message: string; i18n?: Localized | null }): string {
  return e.i18n ? localize(t, e.i18n) : e.message;
}

/** A failure code of the bank (account_closed...) in words; "" for a code without words (show the bank's message then). */
export function payoutFailureText(t: Translator, code: string | null | undefined): string {
  const key = `payoutFailure.${code ?? ""}`;
  return isMessageKey(key) ? t(key) : "";
}

/** What the sandbox bank does with a test account, from its fixed English description. */
export function sandboxOutcomeText(t: Translator, outcome: string): string {
  if (outcome === "paid on the expected date") return t("bankPage.sandbox.paid");
  const m = /^(fails in transit|rejected when sent|paid, then returned (\d+) days later): (\w+)$/.exec(outcome);
  if (!m) return outcome;
  const reason = payoutFailureText(t, m[3]) || m[3]!;
  if (m[1] === "fails in transit") return t("bankPage.sandbox.failsInTransit", { reason });
  if (m[1] === "rejected when sent") return t("bankPage.sandbox.rejected", { reason });
  return t("bankPage.sandbox.returned", { reason, count: Number(m[2]) });
}

/** A refused terminal name, location or kind (app/modules/terminals), by field; anything else as the schema said it. */
export function terminalFieldError(t: Translator, field: string, english: string): string {
  if (field === "name") return t("terminals.error.name", { max: 80 });
  if (field === "location") return t("terminals.error.location", { max: 120 });
  if (field === "kind") return t("terminals.error.kind");
  return english;
}

/** The CVV2's rule for a card whose codes have these lengths. */
export function cvcMessage(t: Translator, lengths: readonly number[]): string {
  if (lengths.length > 1) return t("vt.error.cvc34");
  return lengths[0] === 4 ? t("vt.error.cvc4") : t("vt.error.cvc3");
}

/** What the provider's tokenization said about a card (its error code), in the viewer's words and on the card's field. */
export function cardErrorOf(t: Translator, code: string): { field: "cardNumber" | "expiry" | "cvc"; message: string } {
  switch (code) {
    case "invalid_number":
    case "card_number_invalid":
      return { field: "cardNumber", message: t("vt.error.cardNumber.luhn") };
    case "invalid_expiry":
      return { field: "expiry", message: t("vt.error.expiry.format") };
    case "expired_card":
      return { field: "expiry", message: t("vt.error.expiry.expired") };
    case "invalid_cvc":
      return { field: "cvc", message: cvcMessage(t, [3, 4]) };
    default:
      return { field: "cardNumber", message: t("vt.error.cardUnread") };
  }
}

/**
 * A refused business detail (app/modules/merchants/onboarding.server.ts), by field:
 * the module's reasons are English sentences, the reader gets the same reason in theirs.
 */
export function businessFieldError(t: Translator, field: string, english: string): string {
  switch (field) {
    case "name":
      return t("businessError.name", { max: 100 });
    case "legalName":
      return t("businessError.legalName", { max: 200 });
    case "businessType":
      return t("businessError.businessType", { max: 100 });
    case "contactEmail":
      return t("staff.error.emailInvalid", { example: "name@example.com" });
    case "contactPhone":
      return t("businessError.contactPhone", { min: 7, max: 15, example: "+98 21 5555 0100" });
    case "website":
      return t("businessError.website", { max: 200 });
    case "timeZone":
      return t("signup.error.timeZone", { example: "Asia/Tehran" });
    default:
      return english;
  }
}

/** A refused settlement schedule or holiday edit (app/modules/settlements), by field. */
export function scheduleFieldError(t: Translator, field: string, english: string): string {
  switch (field) {
    case "cutoff":
      return t("scheduleError.cutoff", { example: "23:30" });
    case "delayDays":
      return t("scheduleError.delayDays", { min: 0, max: 10 });
    case "weekendDays":
      return /three/.test(english) ? t("scheduleError.weekendMax", { max: 3 }) : t("scheduleError.weekendDays");
    case "holidayCalendar":
      return t("scheduleError.holidayCalendar");
    case "name":
      return t("scheduleError.holidayName", { max: 100 });
    case "day":
      return /not a public holiday/.test(english) ? t("scheduleError.notHoliday") : t("scheduleError.day");
    default:
      return english;
  }
}

/**
 * A refused date filter (app/modules/reporting) for the reader: the server's reasons are
 * English sentences about ISO days, which a Persian reader, who types Jalali days, gets
 * in Persian. English readers keep the server's sentence.
 */
export function dateFieldError(t: Translator, fmt: Pick<Formatter, "lang" | "digits">, message: string | undefined): string | undefined {
  if (!message || fmt.lang !== "fa") return message;
  if (/YYYY-MM-DD|as a date/.test(message)) return t("dates.dayInput.notUnderstood", { example: fmt.digits("1404/01/31") });
  if (/^Enter a date between/.test(message)) {
    return t("dates.error.outOfYears", {
      from: fmt.digits(jalaliDayText(`${LEDGER_YEAR_MIN}-01-01`)),
      to: fmt.digits(jalaliDayText(`${LEDGER_YEAR_MAX}-12-31`)),
    });
  }
  if (/before (it|the start)/.test(message) || /ends before/.test(message)) return t("dates.error.endBeforeStart");
  if (/five years/.test(message)) return t("dates.error.tooLong", { years: 5 });
  if (/first day/.test(message)) return t("dates.error.pickFrom");
  if (/last day/.test(message)) return t("dates.error.pickTo");
  return message;
}

/** What a list's URL field is called on the page, for a sentence that names it. */
const LIST_FIELD_LABELS: Readonly<Record<string, MessageKey>> = {
  range: "dates.period",
  from: "dates.from",
  to: "dates.to",
  status: "common.status",
  terminal: "payments.col.terminal",
  brand: "card.brand.label",
  bank: "card.bank",
  funding: "card.funding.label",
  reason: "refunds.col.reason",
  by: "refunds.col.issuedBy",
  min: "filters.minAmount",
  max: "filters.maxAmount",
  q: "common.search",
  sort: "listError.field.sort",
  cols: "table.columns",
  limit: "filters.pageSize",
  cursor: "listError.field.page",
  g: "overview.groupBy",
};

const GRANULARITY_KEYS: Readonly<Record<string, MessageKey>> = {
  hour: "overview.granularity.hour",
  day: "overview.granularity.day",
  week: "overview.granularity.week",
  month: "overview.granularity.month",
};

/**
 * A refused list filter (a hand-edited or stale URL of the payments, refunds or payouts
 * list, a payout's items or the Overview): the field and the server's English sentence
 * (app/modules/reporting/list-query.server.ts and each list's zod schema). A Persian
 * reader gets the same reason in Persian, recognised by field and a stable part of the
 * sentence; a refusal not recognised still reads in Persian, naming the field. English
 * readers keep the server's sentence. `label` names the field as its control does
 * (a checkbox menu's legend); without it the field's usual name is used.
 */
export function listFieldError(
  t: Translator,
  fmt: Pick<Formatter, "lang" | "digits">,
  field: string,
  message: string | undefined,
  label?: string,
): string | undefined {
  if (!message || fmt.lang !== "fa") return message;
  const labelKey = LIST_FIELD_LABELS[field];
  const name = label ?? (labelKey ? t(labelKey) : undefined);
  const tooMany = /at most (\d+) values/.exec(message);
  switch (field) {
    case "from":
    case "to": {
      const day = dateFieldError(t, fmt, message);
      if (day !== message) return day;
      break;
    }
    case "cursor":
      // Garbage, cut short or from another sort order: the link no longer points into this list.
      if (/first page|at most \d+ character/.test(message)) return t("listError.staleCursor");
      break;
    case "limit":
      // The page sizes of list-query.server.ts's pageSize (and PageSizeField's choices).
      if (/rows per page|Expected (number|integer)/.test(message)) return t("listError.pageSize", { small: 25, medium: 50, large: 100 });
      break;
    case "sort":
      if (/^Sort by /.test(message)) return t("listError.sort");
      break;
    case "cols":
      if (/Unknown column/.test(message) || tooMany) return t("listError.columns");
      break;
    case "range":
      if (/listed (date )?ranges/.test(message)) return t("listError.range");
      break;
    case "q": {
      const max = /at most (\d+) characters/.exec(message);
      if (max) return t("listError.searchTooLong", { max: Number(max[1]) });
      break;
    }
    case "min":
    case "max": {
      if (/maximum amount is below the minimum/.test(message)) return t("listError.maxBelowMin");
      if (/amount is too long/.test(message)) return t("listError.amountTooLong");
      const currency = /^Amounts in (\S+) cannot be filtered/.exec(message);
      if (currency) return t("listError.amountCurrency", { currency: currency[1]! });
      break;
    }
    case "g": {
      if (/^Hourly charts cover at most two days/.test(message)) return t("listError.hourlyTooLong", { days: 2 });
      const fit = /^Grouping by (\w+) does not fit this range: choose (.+?)\.?$/.exec(message);
      if (fit) {
        const unit = GRANULARITY_KEYS[fit[1]!];
        const choices = fit[2]!.split(/ or |, /).map((g) => GRANULARITY_KEYS[g.trim()]);
        if (unit && choices.length && choices.every((k) => k !== undefined)) {
          const list = new Intl.ListFormat("fa", { type: "disjunction" }).format(choices.map((k) => t(k!)));
          return t("listError.groupingRange", { unit: t(unit), choices: list });
        }
      }
      if (/^Group by /.test(message)) return t("listError.grouping");
      break;
    }
    default:
      // Checkbox menus: a value not among the choices (a stale id, a misspelt status).
      if (tooMany && name) return t("listError.tooManyChoices", { field: name, max: Number(tooMany[1]) });
      if ((/^Unknown /.test(message) || /at most \d+ character/.test(message)) && name) return t("listError.unknownChoice", { field: name });
  }
  return name ? t("listError.invalid", { field: name }) : t("listError.invalidUnnamed");
}

/**
 * A refused report choice (app/modules/exports: the Reports page's preview, a schedule's
 * columns and filters), by field: English readers keep the module's sentence, a Persian
 * reader gets the same reason in Persian (the columns, the zone, the dates, a filter).
 */
export function reportFieldError(t: Translator, fmt: Pick<Formatter, "lang" | "digits">, field: string, message: string): string {
  if (fmt.lang !== "fa") return message;
  if (field === "columns") return t("reports.error.columns");
  if (field === "tz") return t("reports.error.tz", { example: "Asia/Tehran" });
  if (/must be after/.test(message)) return t("dates.error.endBeforeStart");
  const day = dateFieldError(t, fmt, message);
  return day !== message && day ? day : (listFieldError(t, fmt, field, message) ?? message);
}

/**
 * Clauses of one line ("5,988 payments for …", "5,542 succeeded for …") joined as the language
 * joins them: "a · b" in English, "a، b" in Persian (where a middle dot beside Persian digits
 * reads as a zero: "۳۶۱ ·" looked like ۳۶۱۰). Each clause keeps its own direction.
 */
export function joinClauses(t: Translator, parts: readonly string[]): string {
  return parts.length ? parts.reduce((first, next) => t("common.joined", { first, next })) : "";
}

/** The same joint between clauses that mix text and elements: " · " in English, "، " in Persian. */
export function clauseSeparator(t: Translator): string {
  return t("common.joined").replace("{first}", "").replace("{next}", "");
}
