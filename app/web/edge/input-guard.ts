/**
 * One check of every value a request carries, before any route, SQL or date function
 * sees it: the path's segments, every query parameter, and (through readForm and
 * readJsonBody) every form field and JSON string. Refused with a 400 that names the
 * field and what to do:
 * - NUL and the other C0 control characters, and DEL (tab and newlines only in form and
 *   JSON text, where a note or a description may have them);
 * - lone UTF-16 surrogates (a broken character: PostgreSQL cannot store it);
 * - values longer than any field of ours (query 2,000, form and JSON text 10,000);
 * - dates that are not on the calendar (2025-02-30, 0000-00-00) or outside the years a
 *   ledger can have (before 1970 or after 2100: 9999-12-31).
 * Pure: no database, no Request, so the server's middleware, the form reader and the API
 * body reader share it.
 */

import { LEDGER_YEAR_MAX, LEDGER_YEAR_MIN } from "~/lib/dates/zones";

export const LIMITS = { query: 2000, text: 10_000, key: 200 } as const;
export const YEAR_MIN = LEDGER_YEAR_MIN;
export const YEAR_MAX = LEDGER_YEAR_MAX;

/**
 * Console pages whose own URL schema checks every date it reads (an impossible or
 * out-of-range day is named beside its filter, in the page, with a 400): the edge leaves
 * their dates to them and still refuses controls, broken characters and over-long values.
 */
export const PAGES_WITH_DATE_SCHEMAS: ReadonlySet<string> = new Set(["/", "/payments", "/refunds", "/payouts", "/audit"]);

export type InputProblemKind = "control" | "surrogate" | "tooLong" | "date";

export interface InputProblem {
  field: string;
  kind: InputProblemKind;
  /** For tooLong: the limit. */
  max?: number;
  /** English sentence for logs and the API. */
  message: string;
}

// C0 controls and DEL; \t \n \r are allowed where `multiline` text is.
const CONTROL_STRICT = /[\u0000-\u001f\u007f]/;
const CONTROL_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// A whole value that is a date or a date and time (the filters' and reports' ranges).
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function problem(field: string, kind: InputProblemKind, max?: number): InputProblem {
  const what =
    kind === "control"
      ? "remove the control character (such as a NUL byte) from it"
      : kind === "surrogate"
        ? "it contains a broken character (a lone UTF-16 surrogate); send valid Unicode text"
        : kind === "tooLong"
          ? `shorten it to at most ${max} characters`
          : `enter a real calendar date as YYYY-MM-DD, between ${YEAR_MIN}-01-01 and ${YEAR_MAX}-12-31`;
  return { field, kind, max, message: `${field}: ${what}.` };
}

/** A value that looks like a date (YYYY-MM-DD, optionally followed by a time) must be a real one in range. */
export function dateProblem(value: string): boolean {
  const m = DATE_PREFIX.exec(value.trim());
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < YEAR_MIN || y > YEAR_MAX || mo < 1 || mo > 12 || d < 1) return true;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d > days;
}

export function checkValue(field: string, value: string, opts: { multiline?: boolean; max?: number; dates?: boolean } = {}): InputProblem | null {
  const max = opts.max ?? LIMITS.text;
  if ((opts.multiline ? CONTROL_TEXT : CONTROL_STRICT).test(value)) return problem(field, "control");
  if (LONE_SURROGATE.test(value)) return problem(field, "surrogate");
  if (value.length > max) return problem(field, "tooLong", max);
  if (opts.dates !== false && dateProblem(value)) return problem(field, "date");
  return null;
}

/** The name of a field is input too (a NUL in a parameter's name). */
function checkEntry(name: string, value: string, opts: { multiline?: boolean; max?: number; dates?: boolean }): InputProblem | null {
  const shownName = name.replace(/[\u0000-\u001f\u007f]/g, "?").replace(/[\ud800-\udfff]/g, "?").slice(0, 60) || "(empty name)";
  if (CONTROL_STRICT.test(name) || LONE_SURROGATE.test(name)) return problem(shownName, CONTROL_STRICT.test(name) ? "control" : "surrogate");
  if (name.length > LIMITS.key) return problem(shownName, "tooLong", LIMITS.key);
  return checkValue(shownName, value, opts);
}

/** Path segments, decoded: "/payments/pay_%00" names its id. */
export function checkPath(pathname: string): InputProblem | null {
  for (const raw of pathname.split("/")) {
    if (!raw) continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return problem("path", "surrogate");
    }
    const p = checkValue("path", seg, { max: 500 });
    if (p && p.kind !== "date") return p;
  }
  return null;
}

/** A URL's query; `dates: false` for a page whose schema checks its own dates (PAGES_WITH_DATE_SCHEMAS). */
export function checkQuery(search: string, opts: { dates?: boolean } = {}): InputProblem | null {
  if (!search || search === "?") return null;
  // URLSearchParams turns malformed %-escapes into U+FFFD; a raw %00 becomes NUL, caught below.
  for (const [k, v] of new URLSearchParams(search)) {
    const p = checkEntry(k, v, { max: LIMITS.query, dates: opts.dates });
    if (p) return p;
  }
  return null;
}

/** Every string field of a form (files are not ours to judge); `dates: false` for a form whose schema checks its own days. */
export function checkForm(form: FormData, opts: { dates?: boolean } = {}): InputProblem | null {
  for (const [k, v] of form.entries()) {
    if (typeof v !== "string") continue;
    const p = checkEntry(k, v, { multiline: true, max: LIMITS.text, dates: opts.dates });
    if (p) return p;
  }
  return null;
}

/** Every string (and key) of a parsed JSON body, named by its path ("card[number]"). */
export function checkJson(value: unknown, path = ""): InputProblem | null {
  if (typeof value === "string") return checkValue(path || "body", value, { multiline: true, max: LIMITS.text });
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = checkJson(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const name = path ? `${path}[${k}]` : k;
      const kp = checkEntry(name, "", {});
      if (kp) return kp;
      const p = checkJson(v, name);
      if (p) return p;
    }
  }
  return null;
}

/**
 * A JSON body's Content-Type: absent, or `application/json` (or a `+json` type) with at
 * most a UTF-8 charset. Anything else would be read as something it is not (a Latin-1
 * body decoded as UTF-8, `application/jsonx`, a form): refused, saying what to send.
 */
export function jsonContentTypeProblem(header: string | null): string | null {
  if (header === null || header.trim() === "") return null;
  const [type = "", ...params] = header.split(";").map((x) => x.trim().toLowerCase());
  const json = type === "application/json" || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
  if (!json) return "Send the body as JSON (Content-Type: application/json).";
  for (const param of params) {
    if (param === "") continue;
    const [name, raw = ""] = param.split("=", 2).map((x) => x.trim());
    const value = raw.replace(/^"(.*)"$/, "$1");
    if (name === "charset" && value !== "utf-8" && value !== "utf8") {
      return `The body must be UTF-8 JSON: send Content-Type: application/json (charset=utf-8 or none), not charset=${value.slice(0, 40)}.`;
    }
  }
  return null;
}
