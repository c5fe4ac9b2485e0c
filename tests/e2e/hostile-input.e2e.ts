/**
 * No input is a 500, on the running server. The routes come from app/routes (Remix's
 * flat-file names, so a new route is covered by being added), the query parameters from
 * every exported list/filter schema (their zod keys) and every searchParams.get() in the
 * app, the API fields from the create-payment and create-refund schemas. fast-check feeds
 * them arbitrary strings: control characters and NUL, lone surrogates, right-to-left
 * marks, 10,000-character values, impossible dates, odd zones. Every answer must be
 * below 500, and a CSV that answers 200 must be complete (end with its line break).
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { z } from "zod";
import { describe, expect, inject, it } from "vitest";
import { CARD_EXP_YEAR } from "../support/cards";

const root = path.resolve(import.meta.dirname, "../..");
const base = inject("baseURL");
const API_KEY = "sk_test_coffee_web_0001";

/** Sample values for a route's dynamic segments. */
const SEGMENT: Record<string, string[]> = {
  report: ["payments.csv", "refunds.csv", "payouts.csv", "reconciliation.csv", "balance-summary.csv", "audit-log.csv"],
};

/** URL paths of every route module (pathless layouts and _index dropped, $params sampled). */
export function routePaths(): string[] {
  const out = new Set<string>();
  for (const entry of fs.readdirSync(path.join(root, "app/routes"), { withFileTypes: true })) {
    // A route with parts is a folder holding route.tsx (Remix's flat routes): its name is the folder's.
    const file = entry.isDirectory() && fs.existsSync(path.join(root, "app/routes", entry.name, "route.tsx")) ? `${entry.name}.tsx` : entry.name;
    if (!/\.(tsx?|jsx?)$/.test(file)) continue;
    const name = file.replace(/\.(tsx?|jsx?)$/, "").replace(/\[\.\]/g, "\u0001");
    let variants = [""];
    for (const seg of name.split(".")) {
      if (seg === "_index" || seg.startsWith("_")) continue;
      const parts = seg === "$" ? ["anything"] : seg.startsWith("$") ? (SEGMENT[seg.slice(1)] ?? [`${seg.slice(1)}_x`]) : [seg.replace(/\u0001/g, ".")];
      variants = variants.flatMap((v) => parts.map((p) => `${v}/${p}`));
    }
    for (const v of variants) out.add(v || "/");
  }
  return [...out].filter((p) => p !== "/logout").sort();
}

function keysOf(schema: unknown): string[] {
  let s = schema as z.ZodTypeAny | undefined;
  for (let i = 0; i < 6 && s; i++) {
    if (s instanceof z.ZodObject) return Object.keys(s.shape);
    const def = (s as { _def?: { schema?: z.ZodTypeAny; innerType?: z.ZodTypeAny; left?: z.ZodTypeAny } })._def;
    s = def?.schema ?? def?.innerType ?? def?.left;
  }
  return [];
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => /\.tsx?$/.test(f)).map((f) => path.join(dir, f));
}

/** Query parameter names: keys of every exported *QuerySchema / *FilterSchema, and every searchParams.get("…"). */
async function queryParams(): Promise<string[]> {
  const names = new Set<string>(["lang", "from", "to", "range", "tz", "calendar", "period", "compare", "granularity"]);
  for (const file of sourceFiles(path.join(root, "app"))) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/searchParams\.(?:get|getAll|has)\("([^"]+)"\)/g)) names.add(m[1]!);
    const exported = [...text.matchAll(/export const (\w+(?:Query|Filter)Schema)\b/g)].map((m) => m[1]!);
    if (exported.length === 0) continue;
    const mod = (await import(file)) as Record<string, unknown>;
    for (const e of exported) for (const k of keysOf(mod[e])) names.add(k);
  }
  return [...names].sort();
}

/** API fields: the create schemas' keys (nested objects as key[sub]). */
async function apiFields(): Promise<string[]> {
  const mod = (await import(path.join(root, "app/web/payments/api-input.ts"))) as Record<string, unknown>;
  const fields: string[] = [];
  for (const [name, schema] of Object.entries(mod)) {
    if (!/Schema$/.test(name)) continue;
    for (const k of keysOf(schema)) fields.push(k);
  }
  return [...new Set([...fields, "card[number]", "card[exp_month]", "card[cvc]"])];
}

const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\u0001\u001f\u007f",
    "\t\n\r",
    "\ud800",
    "x\udfffy",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "x".repeat(10_000),
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    "2025-13-01",
    "1969-12-31",
    "2025-02-28T25:61:00+99:99",
    "Asia/Tehran",
    "Mars/Olympus",
    "Etc/GMT+14",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "%",
    "../../etc/passwd",
    "' or 1=1 --",
  ),
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(
    ([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
  ),
);

async function signIn(): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: base, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "owner@coffee.test", password: "demo-password-123", intent: "password" }),
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  expect(cookie, "signed in").toContain("=");
  return cookie;
}

describe("no input is a 500", () => {
  it("every query parameter of every page, report and API list", async () => {
    const cookie = await signIn();
    const routes = routePaths();
    const params = await queryParams();
    expect(routes).toEqual(expect.arrayContaining(["/", "/payments", "/reports/payments.csv", "/api/v1/payments"]));
    expect(params).toEqual(expect.arrayContaining(["from", "to", "q", "status", "cursor"]));
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.constantFrom(...params), hostile, fc.boolean(), async (route, param, value, rawSurrogate) => {
        // URLSearchParams would turn a lone surrogate into U+FFFD; sometimes send its raw UTF-8 bytes instead.
        const q = rawSurrogate ? `${encodeURIComponent(param)}=%ED%A0%80${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ""))}` : new URLSearchParams({ [param]: value }).toString();
        const res = await fetch(`${base}${route}?${q}`, {
          redirect: "manual",
          headers: { cookie, authorization: `Bearer ${API_KEY}` },
          signal: AbortSignal.timeout(30_000),
        });
        const body = await res.text();
        if (res.status >= 500) failures.push(`${res.status} GET ${route}?${q.slice(0, 120)}: ${body.slice(0, 200)}`);
        if (res.status === 200 && (res.headers.get("content-type") ?? "").includes("text/csv") && !body.endsWith("\n")) {
          failures.push(`truncated CSV: ${route}?${q.slice(0, 120)}`);
        }
        return failures.length === 0;
      }),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 250), endOnFailure: true },
    );
    expect(failures).toEqual([]);
  }, 300_000);

  it("every field of the payments API", async () => {
    const fields = await apiFields();
    expect(fields).toEqual(expect.arrayContaining(["amount", "currency", "description"]));
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), hostile, fc.integer({ min: 0, max: 1_000_000 }), async (field, value, n) => {
        const body: Record<string, unknown> = { amount: 10_000, currency: "IRR", card: { number: "4242424242424242", exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" } };
        const m = /^(\w+)\[(\w+)\]$/.exec(field);
        if (m) (body[m[1]!] as Record<string, unknown>)[m[2]!] = value;
        else body[field] = value;
        for (const [method, url] of [
          ["POST", "/api/v1/payments"],
          ["POST", "/api/v1/payments/pay_none/refunds"],
          ["GET", `/api/v1/payments?${new URLSearchParams({ [field]: value })}`],
        ] as const) {
          const res = await fetch(`${base}${url}`, {
            method,
            headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json", "idempotency-key": `hostile-${n}-${field}` },
            body: method === "POST" ? JSON.stringify(body) : undefined,
            signal: AbortSignal.timeout(30_000),
          });
          const text = await res.text();
          if (res.status >= 500) failures.push(`${res.status} ${method} ${url.slice(0, 80)} ${field}=${JSON.stringify(value).slice(0, 80)}: ${text.slice(0, 200)}`);
        }
        return failures.length === 0;
      }),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 120), endOnFailure: true },
    );
    expect(failures).toEqual([]);
  }, 300_000);
});
