/**
 * The sandbox provider's HTTP face, mounted at /sandbox/v1 as if it were another
 * service. Tokenization and the test-card list are public (a browser or a
 * developer's curl may call them, like a provider's publishable-key endpoints);
 * everything that moves money needs the sandbox's server secret:
 *   Authorization: Bearer <SANDBOX_API_SECRET>   and   Sandbox-Account: <merchant id>
 * In development the secret is generated once into data/sandbox-api.secret.
 */
import { apiUnavailable, isDatabaseUnavailable } from "~/web/edge/unavailable.server";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { apiError, apiJson, readJsonBody } from "~/web/edge/json.server";
import { parseMinorAmount, zodProblem } from "~/web/edge/json-input";
import { TEST_CARDS } from "~/modules/processors/test-cards";
import {
  NO_RESPONSE,
  sandboxAuthorize,
  sandboxCapture,
  sandboxInquire,
  sandboxInquireRefund,
  sandboxRefund,
  sandboxSettlementReport,
  sandboxTokenize,
  sandboxVoid,
} from "~/modules/processors/sandbox/sandbox.server";
import { env } from "~/lib/env.server";

let secret: string | undefined;

export function sandboxApiSecret(): string {
  if (secret) return secret;
  if (env.SANDBOX_API_SECRET) return (secret = env.SANDBOX_API_SECRET);
  if (env.NODE_ENV === "production") {
    console.warn("SANDBOX_API_SECRET is not set: using a secret generated into the data folder.");
  }
  const file = path.join(env.DATA_DIR ?? path.resolve(process.cwd(), "data"), "sandbox-api.secret");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, `sbx_${crypto.randomBytes(24).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return (secret = fs.readFileSync(file, "utf8").trim());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long the HTTP face stays silent for a "timeout" card before giving up (504). */
export const sandboxHttpConfig = { silenceMs: env.SANDBOX_HTTP_SILENCE_MS };

function bad(param: string, message: string, code = "parameter_invalid") {
  return apiError(400, "invalid_request_error", code, message, param);
}

/** A 400 for what an input parser found wrong (zodProblem, parseMinorAmount). */
function badInput(p: { param: string; message: string; code: string }) {
  return bad(p.param, p.message, p.code);
}

/** 405: `allow` is the methods the endpoint takes ("POST", "GET, POST"). */
function methodNotAllowed(allow: string) {
  return apiError(405, "invalid_request_error", "method_not_allowed", `Use ${allow.replace(", ", " or ")}.`, null, {}, { Allow: allow });
}

/** A POST's JSON body as `schema` reads it, or the 4xx that names what is wrong with it. */
async function jsonInput<T>(request: Request, schema: z.ZodType<T, z.ZodTypeDef, unknown>): Promise<{ ok: true; data: T } | { ok: false; response: Response }> {
  const body = await readJsonBody(request);
  if (!body.ok) return body;
  const parsed = schema.safeParse(body.body ?? {});
  if (!parsed.success) return { ok: false, response: badInput(zodProblem(parsed.error)) };
  return { ok: true, data: parsed.data };
}

/** A body that moves money: parsed, and its amount in minor units of its currency (when it names one), or the 400. */
async function moneyInput<T extends { amount?: unknown; currency?: string }>(
  request: Request,
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
): Promise<{ ok: true; data: T; amount: bigint } | { ok: false; response: Response }> {
  const parsed = await jsonInput(request, schema);
  if (!parsed.ok) return parsed;
  const amount = parseMinorAmount(parsed.data.amount, parsed.data.currency ?? null);
  if (!amount.ok) return { ok: false, response: badInput(amount.problem) };
  return { ok: true, data: parsed.data, amount: amount.value };
}

/**
 * An endpoint of things made by reference (authorizations, refunds): POST makes one from
 * a body that moves money, GET ?reference=... is the inquiry about one (answered as an
 * `inquiry` object); both need the server secret and the account.
 */
function byReference<T extends { reference: string; amount?: unknown; currency?: string }>(spec: {
  schema: z.ZodType<T, z.ZodTypeDef, unknown>;
  create: (input: { data: T; amount: bigint }, account: string) => Promise<Response>;
  inquiry: string;
  inquire: (q: { account: string; reference: string }) => Promise<object>;
}): (request: Request) => Promise<Response> {
  return (request) =>
    guard(async () => {
      const acct = account(request);
      if (!acct.ok) return acct.response;
      if (request.method === "GET") {
        const reference = new URL(request.url).searchParams.get("reference");
        if (!reference || reference.length > 100) return bad("reference", "reference is required.", "parameter_missing");
        return apiJson(200, { object: spec.inquiry, reference, ...(await spec.inquire({ account: acct.account, reference })) });
      }
      if (request.method !== "POST") return methodNotAllowed("GET, POST");
      const parsed = await moneyInput(request, spec.schema);
      if (!parsed.ok) return parsed.response;
      return spec.create(parsed, acct.account);
    });
}

/** Persian digits (as a phone keyboard types them) as ASCII ones. */
const latinDigits = (s: string) => s.replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));

async function guard(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Response) return e;
    if (isDatabaseUnavailable(e)) return apiUnavailable();
    console.error("sandbox: unexpected error", (e as Error).message);
    return apiError(500, "api_error", "sandbox_error", "The sandbox failed unexpectedly.");
  }
}

function account(request: Request): { ok: true; account: string } | { ok: false; response: Response } {
  const header = request.headers.get("authorization") ?? "";
  const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "";
  const expected = sandboxApiSecret();
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
    return {
      ok: false,
      response: apiError(401, "authentication_error", "sandbox_secret_invalid", "Send the sandbox server secret as 'Authorization: Bearer ...'."),
    };
  }
  const acct = request.headers.get("sandbox-account") ?? "";
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(acct)) {
    return { ok: false, response: bad("Sandbox-Account", "Send the account id in the Sandbox-Account header.", "parameter_missing") };
  }
  return { ok: true, account: acct };
}

const amountText = (v: bigint) => v.toString();

export function sandboxTestCards(): Promise<Response> {
  return guard(async () =>
    apiJson(200, {
      object: "list",
      note: "Any future expiry and any CVC of the right length; the outcome depends on the number.",
      data: TEST_CARDS.map((c) => ({ number: c.number, brand: c.brand, funding: c.funding, bank: c.bank ?? null, outcome: c.outcome })),
    }),
  );
}

const tokenSchema = z
  .object({
    number: z.string().max(40),
    exp_month: z.union([z.number().int(), z.string().regex(/^[0-9]{1,2}$/)]).transform(Number),
    exp_year: z.union([z.number().int(), z.string().regex(/^[0-9]{2}([0-9]{2})?$/)]).transform((v) => {
      const n = Number(v);
      return n < 100 ? 2000 + n : n;
    }),
    cvc: z.union([z.string(), z.number()]).transform(String),
  })
  .strict();

/**
 * The origins whose pages may call the tokenization endpoint from a browser: the
 * console's own (PUBLIC_URL, else the host the request came to) and any listed in
 * SANDBOX_ALLOWED_ORIGINS (comma-separated). Everyone else gets no CORS grant.
 */
export function allowedBrowserOrigin(request: Request): string | null {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return null;
  const own = env.PUBLIC_URL?.replace(/\/+$/, "") ?? new URL(request.url).origin;
  const extra = env.SANDBOX_ALLOWED_ORIGINS;
  const forwardedHost = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  let originHost = "";
  try {
    originHost = new URL(origin).host;
  } catch {
    return null;
  }
  if (origin === own || extra.includes(origin) || (!env.PUBLIC_URL && (originHost === new URL(request.url).host || originHost === forwardedHost))) return origin;
  return null;
}

function withCors(request: Request, response: Response): Response {
  const origin = allowedBrowserOrigin(request);
  if (origin) {
    response.headers.set("Access-Control-Allow-Origin", origin);
    response.headers.set("Vary", "Origin");
  }
  return response;
}

export function sandboxTokenizeHttp(request: Request): Promise<Response> {
  return guard(async () => {
    if (request.method === "OPTIONS") {
      const origin = allowedBrowserOrigin(request);
      if (!origin) return apiError(403, "invalid_request_error", "origin_not_allowed", "This origin may not tokenize cards here.");
      return new Response(null, {
        status: 204,
        headers: {
          "Access-Control-Allow-Origin": origin,
          "Access-Control-Allow-Methods": "POST",
          "Access-Control-Allow-Headers": "Content-Type",
          "Access-Control-Max-Age": "600",
          Vary: "Origin",
        },
      });
    }
    if (request.headers.get("origin") && request.headers.get("origin") !== "null" && !allowedBrowserOrigin(request)) {
      return apiError(403, "invalid_request_error", "origin_not_allowed", "This origin may not tokenize cards here.");
    }
    return withCors(request, await tokenize(request));
  });
}

/**
 * The provider's form endpoint for pages without JavaScript: the card fields are posted
 * here (never to the merchant), and the browser is sent back to return_url with the
 * token (or card_error=<code>). return_url must be on an allowed origin.
 *
 * Merchant-defined fields (md_*: up to 12, each at most 600 characters) are echoed back
 * on return_url unchanged, as real gateways echo them: a page without JavaScript can post
 * its other fields (an amount, a description) together with the card and get them back.
 * Nothing else of the form is echoed, so the card never reaches return_url.
 */
export function sandboxTokenFormHttp(request: Request): Promise<Response> {
  return guard(async () => {
    if (request.method !== "POST") return methodNotAllowed("POST");
    const form = await request.formData().catch(() => null);
    if (!form) return apiError(415, "invalid_request_error", "unsupported_media_type", "Send the card form as application/x-www-form-urlencoded.", "Content-Type");
    const field = (k: string) => {
      const v = form.get(k);
      return typeof v === "string" ? v.slice(0, 60) : "";
    };
    const returnRaw = String(form.get("return_url") ?? "").slice(0, 500);
    let back: URL;
    try {
      back = new URL(returnRaw, new URL(request.url).origin);
    } catch {
      return bad("return_url", "return_url must be a URL on the merchant's site.");
    }
    const own = env.PUBLIC_URL?.replace(/\/+$/, "") ?? new URL(request.url).origin;
    const extra = env.SANDBOX_ALLOWED_ORIGINS;
    if (!(back.origin === own || back.origin === new URL(request.url).origin || extra.includes(back.origin))) {
      return bad("return_url", "return_url must be on an allowed origin.");
    }
    const exp = /^\s*([0-9]{1,2})\s*\/\s*([0-9]{2}|[0-9]{4})\s*$/.exec(latinDigits(field("exp")));
    const yearRaw = exp ? Number(exp[2]) : NaN;
    const r = await sandboxTokenize({
      number: latinDigits(field("number").replace(/[\s-]/g, "")),
      expMonth: exp ? Number(exp[1]) : NaN,
      expYear: yearRaw < 100 ? 2000 + yearRaw : yearRaw,
      cvc: latinDigits(field("cvc")),
    });
    let echoed = 0;
    for (const [k, v] of form) {
      if (echoed >= 12 || typeof v !== "string" || !/^md_[A-Za-z0-9_]{1,30}$/.test(k)) continue;
      back.searchParams.set(k, v.slice(0, 600));
      echoed++;
    }
    if (r.ok) back.searchParams.set("token", r.card.token);
    else back.searchParams.set("card_error", r.code);
    return new Response(null, { status: 303, headers: { Location: back.origin === new URL(request.url).origin ? `${back.pathname}${back.search}` : back.toString(), "Cache-Control": "no-store" } });
  });
}

async function tokenize(request: Request): Promise<Response> {
  {
    if (request.method !== "POST") return methodNotAllowed("POST");
    const parsed = await jsonInput(request, tokenSchema);
    if (!parsed.ok) return parsed.response;
    const r = await sandboxTokenize({ number: parsed.data.number, expMonth: parsed.data.exp_month, expYear: parsed.data.exp_year, cvc: parsed.data.cvc });
    if (!r.ok) return apiError(402, "card_error", r.code, r.message, r.param);
    const c = r.card;
    return apiJson(201, {
      object: "token",
      id: c.token,
      card: { bin: c.bin, last4: c.last4, brand: c.brand, funding: c.funding, issuer_bank: c.issuerBank, exp_month: c.expMonth, exp_year: c.expYear },
    });
  }
}

const authorizeSchema = z
  .object({
    reference: z.string().min(1).max(100),
    token: z.string().min(1).max(100),
    amount: z.unknown(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    capture: z.boolean().optional(),
    channel: z.enum(["moto", "api"]).optional(),
  })
  .strict();

/** POST /sandbox/v1/authorizations, and GET ?reference= to inquire. */
export const sandboxAuthorizeHttp = byReference({
  schema: authorizeSchema,
  inquiry: "inquiry",
  inquire: sandboxInquire,
  async create({ data, amount }, acct) {
    const answer = await sandboxAuthorize({
      account: acct,
      reference: data.reference,
      token: data.token,
      amount,
      currency: data.currency,
      capture: data.capture ?? true,
      channel: data.channel ?? "api",
    });
    if (answer === NO_RESPONSE) {
      // A real provider would just never answer; we hang up eventually.
      await sleep(sandboxHttpConfig.silenceMs);
      return apiError(504, "api_error", "timeout", "No answer: inquire by reference later.");
    }
    return apiJson(answer.outcome === "approved" ? 201 : 402, { object: "authorization", reference: data.reference, ...answer });
  },
});

export function sandboxTransitionHttp(request: Request, id: string | undefined, op: "capture" | "void"): Promise<Response> {
  return guard(async () => {
    const acct = account(request);
    if (!acct.ok) return acct.response;
    if (request.method !== "POST") return methodNotAllowed("POST");
    const body = await readJsonBody(request);
    if (!body.ok) return body.response;
    if (!id || id.length > 100) return apiError(404, "invalid_request_error", "resource_missing", "No such authorization.", "id");
    let r;
    if (op === "capture") {
      const amount = parseMinorAmount((body.body as { amount?: unknown } | undefined)?.amount, null);
      if (!amount.ok) return badInput(amount.problem);
      r = await sandboxCapture({ account: acct.account, authorization: id, amount: amount.value });
    } else {
      r = await sandboxVoid({ account: acct.account, authorization: id });
    }
    if (!r.ok) return apiError(r.code === "authorization_not_found" ? 404 : 409, "invalid_request_error", r.code, r.message, "id");
    return apiJson(200, { object: "authorization", id, status: op === "capture" ? "captured" : "voided" });
  });
}

const refundSchema = z
  .object({ reference: z.string().min(1).max(100), authorization: z.string().min(1).max(100), amount: z.unknown() })
  .strict();

/** POST /sandbox/v1/refunds, and GET ?reference= to inquire. */
export const sandboxRefundHttp = byReference({
  schema: refundSchema,
  inquiry: "refund_inquiry",
  inquire: sandboxInquireRefund,
  async create({ data, amount }, acct) {
    const r = await sandboxRefund({ account: acct, reference: data.reference, authorization: data.authorization, amount });
    return apiJson(r.outcome === "succeeded" ? 201 : 402, { object: "refund", reference: data.reference, ...r });
  },
});

export function sandboxSettlementHttp(request: Request): Promise<Response> {
  return guard(async () => {
    const acct = account(request);
    if (!acct.ok) return acct.response;
    const q = new URL(request.url).searchParams;
    const from = new Date(q.get("from") ?? "");
    const to = new Date(q.get("to") ?? "");
    if (Number.isNaN(from.getTime())) return bad("from", "from must be an ISO 8601 instant.");
    if (Number.isNaN(to.getTime())) return bad("to", "to must be an ISO 8601 instant.");
    if (to.getTime() - from.getTime() > 93 * 86_400_000 || to <= from) return bad("to", "The range must be positive and at most 93 days.");
    const lines = await sandboxSettlementReport({ account: acct.account, from, to });
    return apiJson(200, {
      object: "settlement_report",
      from: from.toISOString(),
      to: to.toISOString(),
      data: lines.map((l) => ({ ...l, amount: amountText(l.amount), at: l.at.toISOString() })),
    });
  });
}
