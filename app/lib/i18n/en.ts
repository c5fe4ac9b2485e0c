/**
 * English messages: the source catalog. Its keys are the contract (MessageKey);
 * fa.ts must have exactly the same keys, which its type enforces.
 *
 * Naming: `<area>.<thing>[.<variant>]`, lowerCamelCase segments; a key is never also
 * the prefix of other keys (so `prefs.digits.label`, not `prefs.digits` next to
 * `prefs.digits.native`). Values the database stores keep their spelling as the last
 * segment (`paymentStatus.in_transit`, `permission.overview:view`) so pages can write
 * t(`paymentStatus.${p.status}`) and stay type-checked.
 *
 * Numbers inside sentences are {placeholders}, never digits typed into the text: the
 * reader's digit preference (Persian or Latin) only reaches what goes through Intl.
 * A plural is an object of Intl.PluralRules categories selected by `params.count`.
 */
import type { Message, PluralMessage } from "./types";

export const en = {
  /* ------------------------------ Shell ------------------------------ */
  "app.name": "Merchant Console",
  "app.pageTitle": "{page} · Merchant Console",

  "shell.skipToContent": "Skip to content",
  "shell.loading": "Loading",
  "shell.menu": "Menu",
  "shell.mainNav": "Main",
  "shell.mainNavMobile": "Main (mobile)",
  "shell.merchant": "Merchant",
  "shell.merchantWithRole": "{merchant} ({role})",
  "shell.switchMerchant": "Switch",
  "shell.signOut": "Sign out",
  "shell.language": "Language",
  "shell.switchLanguageTo": "Switch the interface to {language}",

  "nav.overview": "Overview",
  "nav.payments": "Payments",
  "nav.refunds": "Refunds",
  "nav.payouts": "Payouts",
  "nav.terminal": "Virtual terminal",
  "nav.terminals": "Terminals",
  "nav.staff": "Staff",
  "nav.reports": "Reports",
  "nav.audit": "Audit log",
  "nav.settings": "Settings",
  "nav.security": "Security",
  "nav.breadcrumbs": "Breadcrumbs",

  /* ------------------------------ Common ----------------------------- */
  "common.save": "Save",
  "common.saving": "Saving…",
  "common.cancel": "Cancel",
  "common.back": "Back",
  "common.close": "Close",
  "common.search": "Search",
  "common.filters": "Filters",
  "common.apply": "Apply",
  "common.clearFilters": "Clear filters",
  "common.export": "Export",
  "common.download": "Download",
  "common.edit": "Edit",
  "common.remove": "Remove",
  "common.confirm": "Confirm",
  "common.continue": "Continue",
  "common.yes": "Yes",
  "common.no": "No",
  "common.all": "All",
  "common.none": "None",
  "common.unknown": "Unknown",
  "common.optional": "optional",
  "common.required": "Required",
  "common.previous": "Previous",
  "common.next": "Next",
  "common.details": "Details",
  "common.actions": "Actions",
  "common.status": "Status",
  "common.amount": "Amount",
  "common.date": "Date",
  "common.created": "Created",
  "common.copy": "Copy",
  "common.copied": "Copied",
  "common.pageOf": "Page {page} of {pages}",
  "common.rowsRange": "{from}–{to} of {total}",
  "common.results": { one: "{count} result", other: "{count} results" },

  /* ------------------------------ Errors ----------------------------- */
  "error.notAllowed": "Not allowed",
  "error.notFound": "Not found",
  "error.pageNotFound": "Page not found",
  "error.tooManyAttempts": "Too many attempts",
  "error.didNotWork": "That did not work",
  "error.somethingWrong": "Something went wrong",
  "error.requestRefused": "The request was refused.",
  "error.tryAgainLater": "Something went wrong on our side. Try again in a moment.",
  "error.status": "Error {status}",
  "error.backToConsole": "Back to the console",
  "error.goToConsole": "Go to the console",

  /* ------------------------------ Sign in ---------------------------- */
  "login.pageTitle": "Sign in",
  "login.title": "Sign in",
  "login.email": "Email",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.submitting": "Signing in…",
  "login.codeTitle": "Two-factor sign-in",
  "login.codeIntro": "Open your authenticator app and enter the {length}-digit code for Merchant Console.",
  "login.codeLabel": "Authentication code",
  "login.codeHint": "Lost your phone? Enter one of your recovery codes instead (like {example}).",
  "login.verify": "Verify",
  "login.startOver": "Start over with another account",
  "login.reason.idle": "You were signed out after {minutes} minutes without activity. Sign in again to continue where you were.",
  "login.reason.expired": "Your session reached its {hours}-hour limit. Sign in again to continue.",
  "login.reason.revoked": "Your session was ended (signed out here or from another device). Sign in again.",
  "login.reason.access_removed": "Your access to that merchant was removed. Sign in again to use another one.",
  "login.reason.signed_out": "You are signed out.",
  "login.error.emailRequired": "Enter your email.",
  "login.error.emailInvalid": "Enter an email address like {example}.",
  "login.error.passwordRequired": "Enter your password.",
  "login.error.codeRequired": "Enter the code from your authenticator app or a recovery code.",
  "login.error.fillForm": "Fill in the form.",

  /* ---------------------------- Step-up ------------------------------ */
  "stepUp.legend": "Confirm it is you",
  "stepUp.hintWithCode": "Enter your password or a code from your authenticator app. You will not be asked again for {minutes} minutes.",
  "stepUp.hintPassword": "Enter your password. You will not be asked again for {minutes} minutes.",
  "stepUp.password": "Your password",
  "stepUp.code": "Or authenticator code",

  /* --------------------------- Preferences --------------------------- */
  "prefs.title": "Language and formats",
  "prefs.intro": "How the console shows text, numbers and amounts to you. Other members keep their own choice.",
  "prefs.language.label": "Language",
  "prefs.language.hint": "Persian also turns the page right to left and shows dates in the Jalali calendar.",
  "prefs.digits.label": "Digits",
  "prefs.digits.native": "Digits of the language (Persian digits in Persian)",
  "prefs.digits.latn": "Latin digits (0–9) everywhere",
  "prefs.irrDisplay.label": "Iranian rial amounts",
  "prefs.irrDisplay.rial": "Rial (as stored and settled)",
  "prefs.irrDisplay.toman": "Toman (rial ÷ {factor})",
  "prefs.irrDisplay.hint": "Amounts are stored and settled in rial either way; the unit is always shown beside the number.",
  "prefs.save": "Save preferences",
  "prefs.saved": "Preferences saved.",
  "prefs.error.invalid": "Choose one of the listed options for {field}.",
  "prefs.error.empty": "Choose a language, digits or a unit to change.",

  /* ------------------------------ Dates ------------------------------ */
  "dates.weekOf": "Week of {date}",
  "dates.rangeText": "{from} to {to}",
  "dates.timesIn": "Times in {zone}",
  "dates.period": "Period",
  "dates.from": "From",
  "dates.to": "To",
  "dates.previousPeriod": "Previous period",
  "dates.range.today": "Today",
  "dates.range.7d": "Last {days} days",
  "dates.range.30d": "Last {days} days",
  "dates.range.90d": "Last {days} days",
  "dates.range.12m": "Last {months} months",
  "dates.range.mtd": "Month to date",
  "dates.range.jalali_month": "This Jalali month",
  "dates.range.last_jalali_month": "Last Jalali month",
  "dates.range.jalali_ytd": "Jalali year to date",
  "dates.range.custom": "Custom range",
  "dates.calendar.gregory": "Gregorian",
  "dates.calendar.persian": "Jalali (solar hijri)",

  /* ------------------------------ Money ------------------------------ */
  "money.unit.rial": "rial",
  "money.unit.toman": "toman",
  "money.amountIn": "Amount in {unit}",
  "money.amountHint": "Persian and Arabic digits and thousands separators are fine.",

  /* --------------------------- Cards and banks ----------------------- */
  "card.number": "Card number",
  "card.numberHint": "Grouped in fours as you type; the issuing bank appears below.",
  "card.bank": "Issuing bank",
  "card.bankUnknown": "Bank not recognised",
  "card.expiry": "Expiry (MM/YY)",
  "card.cvc": "CVV2",
  "card.brand.label": "Card brand",
  "card.funding.label": "Card type",
  "card.last4": "Last 4 digits",
  "card.masked": "•••• {last4}",
  "bank.sheba": "Sheba (IBAN)",
  "bank.shebaHint": "IR followed by {length} digits; the bank is read from digits {from}–{to}.",
  "bank.name": "Bank",
  "bank.holder": "Account holder",

  /* ------------------------------ Charts ----------------------------- */
  "chart.showData": "Show the data as a table",
  "chart.noData": "No data for this period",

  /* ------------------------------ Exports ---------------------------- */
  "exports.jalaliColumns": "Add Jalali date columns",
  "exports.jalaliColumnsHint": "Beside each ISO date column, the same date in the Jalali calendar.",
  "exports.excelCompatible": "Excel-compatible (UTF-8 with a byte-order mark)",

  /* ----------------------------- Overview ---------------------------- */
  "overview.title": "Overview",
  "overview.subtitle": "{merchant} · times in {zone}",
  "overview.keyFigures": "Key figures",
  "overview.grossToday": "Gross volume today",
  "overview.grossLast30": "Gross volume, last {days} days",
  "overview.successfulPayments": { one: "{count} successful payment", other: "{count} successful payments" },

  /* ---------------------- Vocabulary (stored values) ----------------- */
  "role.owner": "Owner",
  "role.admin": "Administrator",
  "role.support": "Support",
  "role.accountant": "Accountant",
  "role.viewer": "View only",

  "permission.overview:view": "View the overview (revenue, trends)",
  "permission.payments:view": "View payments and refunds",
  "permission.cards:view": "View card details (BIN and last 4 digits at most)",
  "permission.refunds:create": "Issue refunds (support up to the per-refund limit)",
  "permission.terminal:charge": "Charge cards in the virtual terminal",
  "permission.payouts:view": "View payouts and balances",
  "permission.reports:export": "Export reports",
  "permission.terminals:manage": "Manage terminals and API keys",
  "permission.staff:manage": "Manage staff",
  "permission.bank:manage": "Manage the bank account",
  "permission.settings:manage": "Manage settings and security",
  "permission.audit:view": "View the audit log",

  "paymentStatus.pending": "Pending",
  "paymentStatus.authorized": "Authorized",
  "paymentStatus.captured": "Succeeded",
  "paymentStatus.declined": "Declined",
  "paymentStatus.voided": "Voided",
  "paymentStatus.failed": "Failed",

  "refundStatus.pending": "Pending",
  "refundStatus.succeeded": "Succeeded",
  "refundStatus.failed": "Failed",
  "refundStatus.canceled": "Canceled",

  "refundReason.requested_by_customer": "Requested by customer",
  "refundReason.duplicate": "Duplicate",
  "refundReason.fraudulent": "Fraudulent",
  "refundReason.other": "Other",

  "payoutStatus.pending": "Pending",
  "payoutStatus.in_transit": "In transit",
  "payoutStatus.paid": "Paid",
  "payoutStatus.failed": "Failed",
  "payoutStatus.canceled": "Canceled",

  "cardBrand.visa": "Visa",
  "cardBrand.mastercard": "Mastercard",
  "cardBrand.amex": "American Express",
  "cardBrand.discover": "Discover",
  "cardBrand.unionpay": "UnionPay",
  "cardBrand.shetab": "Shetab",
  "cardBrand.unknown": "Unknown",

  "cardFunding.debit": "Debit",
  "cardFunding.credit": "Credit",
  "cardFunding.prepaid": "Prepaid",
  "cardFunding.unknown": "Unknown",

  "terminalKind.virtual": "Virtual terminal (console)",
  "terminalKind.api": "API (website, app or shop)",
  "terminalStatus.active": "Active",
  "terminalStatus.inactive": "Deactivated",

  "ledgerCategory.charge": "Charge",
  "ledgerCategory.refund": "Refund",
  "ledgerCategory.refund_failure": "Refund failure",
  "ledgerCategory.fee": "Fee",
  "ledgerCategory.payout": "Payout",
  "ledgerCategory.payout_failure": "Payout returned",
  "ledgerCategory.adjustment": "Adjustment",
  "ledgerCategory.payout_paid": "Payout paid",

  "ledgerAccount.card_network": "Card network",
  "ledgerAccount.merchant_balance": "Merchant balance",
  "ledgerAccount.merchant_in_transit": "In transit to bank",
  "ledgerAccount.bank_paid_out": "Paid out to bank",
  "ledgerAccount.platform_fees": "Platform fees",
  "ledgerAccount.adjustments": "Adjustments",
} as const satisfies Record<string, Message>;

export type EnCatalog = typeof en;

/** Every message key of the console. */
export type MessageKey = keyof EnCatalog;

/** Keys whose message is a plural (pass `count`). */
export type PluralKey = { [K in MessageKey]: EnCatalog[K] extends string ? never : K }[MessageKey];

/**
 * What every other catalog must be: the same keys as English (a missing or extra key
 * is a type error), a string where English has a string, plural forms where it has plurals.
 */
export type CatalogShape = { readonly [K in MessageKey]: EnCatalog[K] extends string ? string : PluralMessage };
