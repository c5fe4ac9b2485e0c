/**
 * The bank account form's edge, shared by the bank settings page and the onboarding checklist:
 * its fields' schema, the step-up, one call to `setBankAccount`, and the refusal in the reader's
 * language (a refused Sheba says why; the module's reasons are English).
 */
import { z } from "zod";
import { validateSheba } from "~/lib/bank-account";
import { makeFormatter } from "~/lib/format";
import { shebaErrorMessage } from "~/lib/i18n/messages";
import type { AppContext } from "~/modules/access/context";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { setBankAccount } from "~/modules/merchants/bank-accounts.server";
import { refuse } from "./form.server";
import { checkStepUp } from "./guard.server";
import { clientOf } from "./request.server";

export const bankAccountFields = {
  kind: z.string().max(10),
  accountNumber: z.string().max(100),
  routingNumber: z.string().max(40).optional(),
  holderName: z.string().max(300),
};

export type BankAccountFields = z.infer<z.ZodObject<typeof bankAccountFields>>;

/** Saves the account (null) or answers the refusal: 403 for a step-up, the domain's status otherwise. */
export async function saveBankAccount(
  ctx: AppContext,
  input: BankAccountFields,
  form: FormData,
  request: Request,
  intent?: string
): Promise<Response | null> {
  const problem = await checkStepUp(ctx, form, request);
  if (problem) return refuse({}, { intent, stepUp: problem, values: form });
  const r = await setBankAccount(ctx.scope, input, { actor: ctx, client: clientOf(request) });
  if (r.ok) return null;
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  let message = r.message;
  const sheba = input.kind === "sheba" && r.field === "accountNumber" ? validateSheba(input.accountNumber) : null;
  if (sheba && !sheba.ok) message = shebaErrorMessage(t, makeFormatter({ ...prefs }), sheba, input.accountNumber);
  else if (r.field === "holderName") message = t("bankPage.error.holderName", { max: 140 });
  return refuse({ [r.field]: message }, { intent, status: r.status, values: form });
}
