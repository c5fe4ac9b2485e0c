import fs from "node:fs";
import path from "node:path";
import { useTestDatabase } from "../../support/db";
import { api, routeFor } from "./api-client";
import { CARD, fastSandbox, makeMerchant } from "./fixtures";
import { CARD_EXP_YEAR } from "../../support/cards";

useTestDatabase({ seed: "none" });
beforeAll(() => fastSandbox());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Schema = any;

/** A small JSON Schema checker: enough of 2020-12 for the document's own schemas. */
function validate(doc: Schema, schema: Schema, value: unknown, at = "$"): string[] {
  if (schema.$ref) {
    const name = String(schema.$ref).replace("#/components/schemas/", "");
    return validate(doc, doc.components.schemas[name], value, at);
  }
  if (schema.oneOf) {
    const ok = schema.oneOf.filter((s: Schema) => validate(doc, s, value, at).length === 0).length;
    return ok === 1 ? [] : [`${at}: matches ${ok} of oneOf`];
  }
  const errors: string[] = [];
  const types: string[] = schema.type ? (Array.isArray(schema.type) ? schema.type : [schema.type]) : [];
  const typeOf = (v: unknown) =>
    v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;
  if (types.length) {
    const t = typeOf(value);
    const fits = types.some((x) => x === t || (x === "number" && (t === "integer" || t === "number")));
    if (!fits) return [`${at}: ${t} is not ${types.join("|")}`];
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === "string" && schema.pattern && !new RegExp(schema.pattern).test(value)) {
    errors.push(`${at}: "${value}" does not match ${schema.pattern}`);
  }
  if (typeof value === "string" && schema.format === "date-time" && Number.isNaN(Date.parse(value))) {
    errors.push(`${at}: not a date-time`);
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in obj)) errors.push(`${at}: missing ${k}`);
    for (const [k, v] of Object.entries(obj)) {
      const prop = schema.properties?.[k];
      if (prop) errors.push(...validate(doc, prop, v, `${at}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: undocumented property ${k}`);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => errors.push(...validate(doc, schema.items, v, `${at}[${i}]`)));
  return errors;
}

async function openapi() {
  const r = await api("GET", "/openapi.json");
  expect(r.status).toBe(200);
  return r.json;
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 and every documented operation has a route module that handles it", async () => {
    const doc = await openapi();
    expect(doc.openapi).toBe("3.1.0");
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      const concrete = p.replace(/\{[^}]+\}/g, "pay_x");
      const { mod } = routeFor(`/api/v1${concrete}`);
      expect(mod, p).not.toBe(routeFor("/api/v1/__nothing__").mod);
      for (const method of Object.keys(ops)) {
        const fn = method === "get" ? mod.loader : mod.action;
        expect(fn, `${method.toUpperCase()} ${p}`).toBeTypeOf("function");
      }
    }
  });

  it("documents every api.v1 route file", async () => {
    const doc = await openapi();
    const files = fs.readdirSync(path.resolve("app/routes")).filter((f) => f.startsWith("api.v1.") && f.endsWith(".ts"));
    const documented = Object.keys(doc.paths).map((p) =>
      `api.v1${p.replace(/\{(\w+)\}/g, "$$$1").replace(/\//g, ".")}.ts`,
    );
    for (const f of files) {
      if (f === "api.v1.$.ts" || f === "api.v1.openapi[.]json.ts") continue;
      expect(documented, f).toContain(f);
    }
  });

  it("describes the responses the API really sends", async () => {
    const doc = await openapi();
    const m = await makeMerchant({ currency: "USD" });
    const card = { number: CARD.approve, exp_month: 1, exp_year: CARD_EXP_YEAR, cvc: "123" };
    const check = (schemaName: string, body: unknown) => {
      expect(validate(doc, { $ref: `#/components/schemas/${schemaName}` }, body)).toEqual([]);
    };
    const created = await api("POST", "/payments", { key: m.apiKey, body: { amount: 1000, currency: "USD", card } });
    check("Payment", created.json);
    // The checker itself is strict enough to notice drift.
    expect(validate(doc, { $ref: "#/components/schemas/Payment" }, { ...created.json, surprise: 1 })).not.toEqual([]);
    expect(validate(doc, { $ref: "#/components/schemas/Payment" }, { ...created.json, amount: 1000 })).not.toEqual([]);
    const declined = await api("POST", "/payments", { key: m.apiKey, body: { amount: 1000, currency: "USD", card: { ...card, number: CARD.lost } } });
    expect(declined.status).toBe(402);
    check("CardError", declined.json);
    const pending = await api("POST", "/payments", { key: m.apiKey, body: { amount: 1000, currency: "USD", card: { ...card, number: CARD.timeoutLost } } });
    expect(pending.status).toBe(202);
    check("Payment", pending.json);
    const refund = await api("POST", `/payments/${created.json.id}/refunds`, { key: m.apiKey, body: { amount: 100, note: "n" } });
    check("Refund", refund.json);
    check("Payment", (await api("GET", `/payments/${created.json.id}`, { key: m.apiKey })).json);
    check("PaymentList", (await api("GET", "/payments?limit=2", { key: m.apiKey })).json);
    check("RefundList", (await api("GET", `/payments/${created.json.id}/refunds`, { key: m.apiKey })).json);
    check("Refund", (await api("GET", `/refunds/${refund.json.id}`, { key: m.apiKey })).json);
    const over = await api("POST", `/payments/${created.json.id}/refunds`, { key: m.apiKey, body: { amount: 100000 } });
    check("Error", over.json);
    check("Error", (await api("GET", "/payments")).json);

    // Every status an operation answered is documented for it.
    const documented = (p: string, method: string, status: number) => Object.keys(doc.paths[p][method].responses).includes(String(status));
    expect(documented("/payments", "post", created.status)).toBe(true);
    expect(documented("/payments", "post", declined.status)).toBe(true);
    expect(documented("/payments", "post", pending.status)).toBe(true);
    expect(documented("/payments/{paymentId}/refunds", "post", refund.status)).toBe(true);
    expect(documented("/payments/{paymentId}/refunds", "post", over.status)).toBe(true);
  });
});
