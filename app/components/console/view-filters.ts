/**
 * A saved view's query as people read it: each filter under the label its list's filter
 * panel gives it, each value as the list shows it (dates in the reader's calendar, amounts
 * as money, statuses and reasons translated, terminals and people by name), then the sort,
 * the columns and the page size. A value the list no longer knows is shown as stored.
 */
import { rangeLabel } from "~/components/console/filters";
import type { MessageKey } from "~/lib/i18n/en";
import { isMessageKey, type Translator } from "~/lib/i18n/translate";
import { auditActionLabel } from "~/lib/i18n/messages";
import type { Formatter } from "~/lib/format";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import type { PaymentColumn } from "~/lib/labels";
import type { SavedViewList } from "~/lib/saved-views";

export interface ViewFilterNames {
  /** Terminal id -> name (payments' Terminal filter). */
  terminals: Record<string, string>;
  /** User id -> name (refunds' Issued by filter). */
  people: Record<string, string>;
}

export interface ViewFilterPart {
  key: string;
  label: string;
  value: string;
}

/** The payments list's column headings (its table and column chooser use them too). */
export const PAYMENT_COLUMN_LABELS: Record<PaymentColumn, MessageKey> = {
  created: "payments.col.created",
  amount: "payments.col.amount",
  status: "payments.col.status",
  card: "payments.col.card",
  bank: "payments.col.bank",
  funding: "payments.col.funding",
  terminal: "payments.col.terminal",
  customer: "payments.col.customer",
  description: "payments.col.description",
  refunded: "payments.col.refunded",
  fee: "payments.col.fee",
  id: "payments.col.id",
};

/** The label of each sortable field, per list (the column heading one sorts by). */
const SORT_FIELDS: Record<SavedViewList, Record<string, MessageKey>> = {
  payments: { created: "payments.col.created", amount: "payments.col.amount" },
  refunds: { created: "refunds.col.created", amount: "common.amount" },
  payouts: { arrival: "payouts.col.expectedArrival", created: "payouts.col.created", amount: "common.amount" },
  audit: {},
};

/** Which vocabulary a multi-value filter's values come from, per list. */
const VOCAB: Record<SavedViewList, Record<string, { label: MessageKey; prefix: string }>> = {
  payments: {
    status: { label: "common.status", prefix: "paymentStatus" },
    brand: { label: "card.brand.label", prefix: "cardBrand" },
    funding: { label: "card.funding.label", prefix: "cardFunding" },
  },
  refunds: {
    status: { label: "common.status", prefix: "refundStatus" },
    reason: { label: "refunds.col.reason", prefix: "refundReason" },
  },
  payouts: { status: { label: "common.status", prefix: "payoutStatus" } },
  audit: {},
};

export function describeViewQuery(list: SavedViewList, query: string, t: Translator, fmt: Formatter, names: ViewFilterNames): ViewFilterPart[] {
  const params = new URLSearchParams(query);
  const values = (k: string) => params.getAll(k).flatMap((v) => v.split(",")).filter((v) => v !== "");
  /** A catalog word for a stored value, or the value itself when the catalog has none. */
  const word = (key: string, raw: string) => (isMessageKey(key) ? t(key) : fmt.digits(raw));
  const money = (raw: string) => {
    const r = isCurrencyCode(fmt.currency) ? parseAmount(raw, fmt.currency) : null;
    return r?.ok ? fmt.money(r.minor) : fmt.digits(raw);
  };
  const day = (raw: string) => (/^\d{4}-\d{2}-\d{2}$/.test(raw) ? fmt.day(raw) : fmt.digits(raw));
  const parts: ViewFilterPart[] = [];
  const add = (key: string, label: MessageKey, value: string) => parts.push({ key, label: t(label), value });
  const join = (xs: string[]) => xs.join(fmt.lang === "fa" ? "، " : ", ");

  // Dates: explicit days win over a preset, as on the list.
  const dateLabel: MessageKey = list === "payouts" ? "payouts.arrivalRange" : "filters.dateRange";
  const from = params.get("from");
  const to = params.get("to");
  if (from || to) add("dates", dateLabel, t("dates.rangeText", { from: from ? day(from) : "…", to: to ? day(to) : "…" }));
  else if (params.get("range") && params.get("range") !== "all" && params.get("range") !== "custom") add("dates", dateLabel, rangeLabel(t, params.get("range")!));

  if (list === "audit") {
    const action = params.get("action");
    if (action) add("action", "audit.filter.action", action.includes(".") ? auditActionLabel(t, action) : word(`audit.group.${action}`, action));
    const outcome = params.get("outcome");
    if (outcome) add("outcome", "audit.filter.outcome", word(`audit.outcome.${outcome}`, outcome));
    const actor = params.get("actor");
    if (actor) add("actor", "audit.filter.actor", actor);
    const target = params.get("target");
    if (target) add("target", "audit.filter.target", fmt.digits(target));
    return parts;
  }

  for (const [name, v] of Object.entries(VOCAB[list])) {
    const vs = values(name);
    if (vs.length) add(name, v.label, join(vs.map((x) => word(`${v.prefix}.${x}`, x))));
  }
  if (list === "payments") {
    const terminals = values("terminal");
    if (terminals.length) add("terminal", "payments.col.terminal", join(terminals.map((x) => names.terminals[x] ?? fmt.digits(x))));
    const banks = values("bank");
    if (banks.length) add("bank", "card.bank", join(banks.map((x) => fmt.bankName(x))));
  }
  if (list === "refunds") {
    const by = values("by");
    if (by.length) add("by", "refunds.col.issuedBy", join(by.map((x) => names.people[x] ?? fmt.digits(x))));
  }
  const min = params.get("min");
  const max = params.get("max");
  if (min) add("min", "views.minAmount", money(min));
  if (max) add("max", "views.maxAmount", money(max));
  const q = params.get("q");
  if (q) add("q", "common.search", q);

  const sort = params.get("sort");
  if (sort) {
    const field = sort.replace(/^-/, "");
    const label = SORT_FIELDS[list][field];
    const column = label ? t(label) : fmt.digits(field);
    const desc = sort.startsWith("-");
    const key: MessageKey = field === "amount" ? (desc ? "views.sort.largest" : "views.sort.smallest") : desc ? "views.sort.newest" : "views.sort.oldest";
    add("sort", "views.sortedBy", t(key, { column }));
  }
  if (list === "payments") {
    const cols = values("cols");
    if (cols.length) add("cols", "views.columns", join(cols.map((c) => (c in PAYMENT_COLUMN_LABELS ? t(PAYMENT_COLUMN_LABELS[c as PaymentColumn]) : c))));
  }
  const limit = params.get("limit");
  if (limit) add("limit", "filters.pageSize", fmt.digits(limit));
  return parts;
}
