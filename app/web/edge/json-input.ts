/**
 * Reading JSON input into values, shared by every JSON face of ours (the payments API and
 * its siblings, the sandbox provider's HTTP face): a reason a developer can act on and the
 * parameter it is about. Pure (no database, no Request).
 */
import { z } from "zod";
import { isCurrencyCode, maxMinorUnits } from "~/lib/money";

export interface InputProblem {
  param: string;
  message: string;
  code: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: InputProblem };

export const problem = (param: string, code: string, message: string): { ok: false; problem: InputProblem } => ({
  ok: false,
  problem: { param, code, message },
});

/**
 * An amount in minor units: a JSON integer or a string of digits. Fractions, exponents,
 * signs, zero and values past the currency's maximum are refused with the reason.
 */
export function parseMinorAmount(value: unknown, currency: string | null, param = "amount"): Parsed<bigint> {
  const exponentNote =
    currency && isCurrencyCode(currency)
      ? currency === "IRR"
        ? " IRR has no minor unit: send rials, e.g. 1250000."
        : ` Send ${currency} in cents, e.g. 1050 for 10.50.`
      : "";
  if (value === undefined || value === null || value === "") {
    return problem(param, "parameter_missing", `${param} is required: an integer number of minor units.`);
  }
  let digits: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return problem(param, "amount_invalid", `${param} must be a number.`);
    if (!Number.isInteger(value)) {
      return problem(param, "amount_invalid", `${param} must be a whole number of minor units, not a fraction.${exponentNote}`);
    }
    if (value <= 0) return problem(param, "amount_invalid", `${param} must be greater than zero.`);
    if (!Number.isSafeInteger(value)) {
      return problem(param, "amount_too_large", `${param} is too large to send exactly as a JSON number; send it as a decimal string.`);
    }
    digits = String(value);
  } else if (typeof value === "string") {
    const s = value.trim();
    if (/^[-\u2212]/.test(s) && /[0-9]/.test(s)) return problem(param, "amount_invalid", `${param} must be greater than zero.`);
    if (/^[0-9]*\.[0-9]+$/.test(s) || /^[0-9]+\.$/.test(s)) {
      return problem(param, "amount_invalid", `${param} must be a whole number of minor units, without a decimal point.${exponentNote}`);
    }
    if (!/^[0-9]+$/.test(s)) {
      return problem(param, "amount_invalid", `${param} must be an integer of minor units (digits only, like "125000").`);
    }
    digits = s.replace(/^0+(?=[0-9])/, "");
    if (digits.length > 25) return problem(param, "amount_too_large", `${param} is too large.`);
  } else {
    return problem(param, "amount_invalid", `${param} must be an integer of minor units, as a number or a decimal string.`);
  }
  const amount = BigInt(digits);
  if (amount <= 0n) return problem(param, "amount_invalid", `${param} must be greater than zero.`);
  const max = currency && isCurrencyCode(currency) ? maxMinorUnits(currency) : 10n ** 18n;
  if (amount > max) return problem(param, "amount_too_large", `${param} must be at most ${max}${currency ? ` (${currency} minor units)` : ""}.`);
  return { ok: true, value: amount };
}

function paramOf(path: (string | number)[]): string {
  const [head, ...rest] = path.map(String);
  return (head ?? "body") + rest.map((p) => `[${p}]`).join("");
}

/** The first problem zod found, named by parameter. */
export function zodProblem(error: z.ZodError): InputProblem {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const param = issue.path.length ? `${paramOf(issue.path)}[${key}]` : key;
    return { param, code: "parameter_unknown", message: `Unknown parameter: ${param}.` };
  }
  const param = paramOf(issue.path);
  if (issue.code === "invalid_type" && issue.received === "undefined") {
    return { param, code: "parameter_missing", message: `${param} is required.` };
  }
  return { param, code: "parameter_invalid", message: `${param}: ${issue.message}` };
}

