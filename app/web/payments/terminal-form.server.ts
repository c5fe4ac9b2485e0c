/**
 * The virtual terminal page's form, at the web edge: its fields read and checked in the
 * reader's language, its idempotency key (one per rendering of the form), the provider's
 * card form sending the browser back, and the domain's refusals under the fields they name.
 * The charge itself is the domain's (chargeAsMember, app/modules/payments/virtual-terminal.server.ts).
 *
 * A double click, a retry after a dropped connection or the browser re-sending the POST
 * all carry the form's key, so they get the first attempt's answer (a redirect to its
 * receipt), never a second payment. The page's action (routes/_app.terminal.tsx) parses the
 * form, refuses one that posts a card number anyway (not kept or echoed), and answers these
 * refusals through `refuse`.
 */
import crypto from "node:crypto";
import { makeFormatter, type Formatter } from "~/lib/format";
import type { FormFailure } from "~/lib/forms";
import { amountErrorMessage, cardErrorOf } from "~/lib/i18n/messages";
import type { Translator } from "~/lib/i18n/translate";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import { memberActor, type Client } from "~/lib/vocabulary";
import type { AppContext } from "~/modules/access/context";
import { merchantRowOf } from "~/modules/access/session-context.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { validKey } from "~/modules/idempotency/idempotency.server";
import type { CardToken } from "~/modules/processors/types";
import { CUSTOMER_REFERENCE_MAX, DESCRIPTION_MAX, loadMerchant, type Merchant } from "~/modules/payments/payments.server";
import {
  chargeableTerminals,
  chargeAsMember,
  providerCard,
  tokenCard,
  type ChargeableTerminal,
  type TokenCard,
} from "~/modules/payments/virtual-terminal.server";

export type TerminalField = "terminal" | "amount" | "cardNumber" | "expiry" | "cvc" | "description" | "customerReference" | "form";

export interface TerminalFormValues {
  terminal: string;
  amount: string;
  description: string;
  customerReference: string;
}

export type TerminalErrors = Partial<Record<TerminalField, string>>;

/** A refused charge: messages by field in the viewer's language; `freshKey` when the form's key may not be used again. */
export interface TerminalRefusal {
  ok: false;
  status: number;
  errors: TerminalErrors;
  freshKey?: string;
}

export type TerminalChargeResult = { ok: true; paymentId: string } | TerminalRefusal;

/** What the charge form posts (read and bounded by the page's action): the fields, the card's token, the form's key. */
export interface TerminalChargeInput extends TerminalFormValues {
  token: string;
  key: string;
}

export function newTerminalFormKey(): string {
  return crypto.randomUUID();
}

function tools(ctx: AppContext): { t: Translator; fmt: Formatter } {
  const prefs = resolvePreferences(ctx);
  return { t: serverTranslator(prefs), fmt: makeFormatter({ ...prefs }) };
}

export function terminalValuesOf(read: (name: string, max: number) => string): TerminalFormValues {
  return {
    terminal: read("terminal", 100),
    amount: read("amount", 60),
    description: read("description", DESCRIPTION_MAX + 1),
    customerReference: read("customerReference", CUSTOMER_REFERENCE_MAX + 1),
  };
}

type Checked =
  | {
      ok: true;
      terminal: ChargeableTerminal;
      amount: bigint;
      description: string;
      customerReference: string;
      card: TokenCard;
      /** What the charge needs read here already: the merchant's row and the provider's card. */
      merchant: Merchant;
      providerCard: CardToken;
    }
  | { ok: false; errors: TerminalErrors };

/** Every field but the idempotency key, checked in the viewer's language; the card by its token. */
export async function checkTerminalFields(ctx: AppContext, values: TerminalFormValues, token: string): Promise<Checked> {
  const { t, fmt } = tools(ctx);
  const errors: TerminalErrors = {};
  const currency = ctx.merchant.currency;
  // The merchant's row as this request's session read it (else read now); the terminals and the card together.
  const merchant = merchantRowOf(ctx) ?? (await loadMerchant(ctx.scope));
  const [active, described] = await Promise.all([chargeableTerminals(ctx.scope), token === "" ? null : providerCard(merchant?.processorId, token)]);
  const terminal = active.find((x) => x.id === values.terminal) ?? (values.terminal === "" && active.length === 1 ? active[0] : undefined);
  if (!terminal) errors.terminal = active.length ? t("vt.error.terminal") : t("vt.noTerminal");

  let amount: bigint | null = null;
  if (!isCurrencyCode(currency)) errors.amount = t("money.error.unsupported_currency", { currency });
  else {
    const parsed = parseAmount(values.amount, currency);
    if (parsed.ok) amount = parsed.minor;
    else errors.amount = amountErrorMessage(t, fmt, parsed);
  }

  if (token === "") errors.cardNumber = t("vt.error.cardNumber.empty");
  else if (!described) errors.cardNumber = t("vt.error.cardUnread");
  const card = described && tokenCard(described);

  const description = values.description.trim();
  if (description.length > DESCRIPTION_MAX) errors.description = t("vt.error.tooLong", { max: DESCRIPTION_MAX });
  const customerReference = values.customerReference.trim();
  if (customerReference.length > CUSTOMER_REFERENCE_MAX) errors.customerReference = t("vt.error.tooLong", { max: CUSTOMER_REFERENCE_MAX });
  if (Object.keys(errors).length || !terminal || amount === null || !card || !described) return { ok: false, errors };
  if (!merchant) return { ok: false, errors: { form: t("vt.error.merchantInactive") } };
  return { ok: true, terminal, amount, description, customerReference, card, merchant, providerCard: described };
}

/**
 * Charges the card of a terminal form by its token (chargeAsMember, once per form key).
 * Every refusal names its field in the viewer's language; nothing is charged unless every
 * field is right.
 */
export async function chargeFromTerminal(ctx: AppContext, input: TerminalChargeInput, client: Client): Promise<TerminalChargeResult> {
  const { t } = tools(ctx);
  const checked = await checkTerminalFields(ctx, input, input.token);
  const key = input.key;
  const keyError = validKey(key) ? null : t("vt.error.formExpired");
  if (!checked.ok || keyError) {
    const errors = { ...(checked.ok ? {} : checked.errors), ...(keyError ? { form: keyError } : {}) };
    return { ok: false, status: 400, errors, freshKey: keyError ? newTerminalFormKey() : undefined };
  }
  const { terminal, amount, description, customerReference, card, merchant, providerCard: described } = checked;
  const currency = ctx.merchant.currency;

  const r = await chargeAsMember(
    ctx.scope,
    memberActor(ctx, client),
    { terminal, amount, currency, description, customerReference, card, key },
    // Read in this request (the session's statement, the checks above): not read again.
    { merchant, providerCard: described },
  );
  if (r.ok) return { ok: true, paymentId: r.paymentId };
  const code = r.error.code;
  const refused = (errors: TerminalErrors, status = r.error.status, freshKey?: string): TerminalRefusal => ({ ok: false, status, errors, freshKey });
  switch (code) {
    case "idempotency_key_reused":
      return refused({ form: t("vt.error.formReused") }, 409, newTerminalFormKey());
    case "idempotency_key_in_use":
      return refused({ form: t("vt.error.inProgress") }, 409);
    case "terminal_inactive":
    case "terminal_not_found":
      return refused({ terminal: t("vt.error.terminalInactive") });
    case "merchant_not_active":
      return refused({ form: t("vt.error.merchantInactive") });
    case "provider_unavailable":
      return refused({ form: t("vt.error.provider") });
    case "token_not_found":
    case "invalid_number":
    case "invalid_expiry":
    case "expired_card":
    case "invalid_cvc": {
      const e = cardErrorOf(t, code);
      return refused({ [e.field]: e.message });
    }
    default:
      return refused({ form: t("vt.error.generic", { message: r.error.message }) });
  }
}

/** What the page shows when the provider's card form (no JavaScript) sends the browser back. */
export type TerminalReturn =
  | { kind: "confirm"; token: string; key: string; values: TerminalFormValues; card: TokenCard; amount: string }
  | { kind: "failure"; failure: FormFailure };

/**
 * Back from the provider's form endpoint: it echoed the form's other fields (md_*) and
 * added the token, or card_error=<code>. A token is shown for confirmation (nothing is
 * charged by a GET); a refusal goes back on its field with what was typed.
 */
export async function terminalReturn(ctx: AppContext, q: URLSearchParams): Promise<TerminalReturn | null> {
  const token = q.get("token");
  const cardError = q.get("card_error");
  if (token === null && cardError === null) return null;
  const { t } = tools(ctx);
  const values = terminalValuesOf((name, max) => (q.get(`md_${name}`) ?? "").slice(0, max));
  const key = (q.get("md_key") ?? "").slice(0, 300);
  if (cardError !== null || !token) {
    const e = cardErrorOf(t, (cardError ?? "").slice(0, 60));
    return { kind: "failure", failure: { ok: false, errors: { [e.field]: e.message }, values: { ...values } } };
  }
  const c = await checkTerminalFields(ctx, values, token.slice(0, 100));
  if (!c.ok) return { kind: "failure", failure: { ok: false, errors: c.errors, values: { ...values } } };
  return { kind: "confirm", token: c.card.token, key, values: { ...values, terminal: c.terminal.id }, card: c.card, amount: c.amount.toString() };
}
