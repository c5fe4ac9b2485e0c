/**
 * /api/v1 customers, payment methods, plans, subscriptions and invoices: the same domain
 * functions as the console, with terminal-key authentication, Idempotency-Key on POSTs
 * (a repeated key answers the first result) and the API's error shape.
 */
import { apiError, apiJson, failureBody, methodNotAllowed, readJsonBody } from "~/web/edge/json.server";
import { authenticate, guard, idempotencyKeyOf, idempotentPost } from "~/web/edge/api.server";
import { clientOf } from "~/web/request.server";
import type { Failure, Scope } from "~/lib/vocabulary";
import { attachPaymentMethod, createCustomer, customerDetail, getCustomer, listCustomers, removePaymentMethod, updateCustomer } from "~/modules/subscriptions/customers.server";
import { startSubscription } from "~/modules/subscriptions/renewals.server";
import { serializeCustomer, serializeInvoice, serializePaymentMethod, serializePlan, serializeSubscription } from "~/modules/subscriptions/serialize";
import {
  cancelSubscription,
  createPlan,
  getInvoice,
  getPlan,
  getSubscription,
  listInvoices,
  listPlans,
  listSubscriptions,
  pauseSubscription,
  resumeSubscription,
} from "~/modules/subscriptions/subscriptions.server";
import { serializePayment } from "~/modules/payments/serialize";
import { changePlan, previewPlanChange, serializePlanChangePreview } from "~/modules/subscriptions/plan-changes.server";

type Body = Record<string, unknown>;
type Run = (scope: Scope, body: Body, request: Request) => Promise<{ ok: true; status: number; body: unknown } | { ok: false; error: Failure }>;

const notFound = (what: string) => apiError(404, "invalid_request_error", "resource_missing", `No such ${what}.`, "id");

/** A POST: authenticated, JSON object body, idempotent with Idempotency-Key. */
function post(request: Request, allow: string[], run: Run): Promise<Response> {
  return guard(async () => {
    if (request.method !== "POST") return methodNotAllowed(allow);
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    const key = idempotencyKeyOf(request);
    if (!key.ok) return key.response;
    const parsed = await readJsonBody(request);
    if (!parsed.ok) return parsed.response;
    const body = (parsed.body ?? {}) as Body;
    if (typeof body !== "object" || Array.isArray(body)) return apiError(400, "invalid_request_error", "body_invalid", "The body must be a JSON object.", null);
    return idempotentPost(request, auth.principal, key.key, body, async () => {
      const r = await run(auth.principal.scope, body, request);
      if (!r.ok) return { status: r.error.status, body: failureBody(r.error), store: false };
      return { status: r.status, body: r.body };
    });
  });
}

function get(request: Request, allow: string[], run: (scope: Scope, url: URL) => Promise<Response>): Promise<Response> {
  return guard(async () => {
    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(allow);
    const auth = await authenticate(request);
    if (!auth.ok) return auth.response;
    return run(auth.principal.scope, new URL(request.url));
  });
}

function limitOf(url: URL): number | Response {
  const raw = url.searchParams.get("limit");
  const limit = raw === null ? 100 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) return apiError(400, "invalid_request_error", "parameter_invalid", "limit must be a whole number from 1 to 200.", "limit");
  return limit;
}

const list = (data: unknown[]) => apiJson(200, { object: "list", data, has_more: false });

/* customers */

export const apiCustomers = {
  list: (request: Request) =>
    get(request, ["GET", "POST"], async (scope, url) => {
      const limit = limitOf(url);
      if (limit instanceof Response) return limit;
      return list((await listCustomers(scope, { q: url.searchParams.get("q"), limit })).map(serializeCustomer));
    }),
  create: (request: Request) =>
    post(request, ["GET", "POST"], async (scope, b) => {
      const r = await createCustomer(scope, b, { source: "api" });
      return r.ok ? { ok: true, status: 201, body: serializeCustomer(r.customer) } : r;
    }),
  get: (request: Request, id = "") =>
    get(request, ["GET", "POST"], async (scope) => {
      const d = await customerDetail(scope, id);
      if (!d) return notFound("customer");
      return apiJson(200, { ...serializeCustomer(d.customer), subscriptions: d.subscriptions.map(serializeSubscription), payment_methods: d.paymentMethods.map(serializePaymentMethod) });
    }),
  update: (request: Request, id = "") =>
    post(request, ["GET", "POST"], async (scope, b) => {
      const r = await updateCustomer(scope, id, b);
      return r.ok ? { ok: true, status: 200, body: serializeCustomer(r.customer) } : r;
    }),
  paymentMethods: (request: Request, id = "") =>
    get(request, ["GET", "POST"], async (scope) => {
      const d = await customerDetail(scope, id);
      if (!d) return notFound("customer");
      return list(d.paymentMethods.map(serializePaymentMethod));
    }),
  /** Saves a card the cardholder tokenized, with the mandate they accepted (text, locale, accepted_at). */
  attach: (request: Request, id = "") =>
    post(request, ["GET", "POST"], async (scope, b) => {
      if (!(await getCustomer(scope, id))) return { ok: false, error: { status: 404, type: "invalid_request_error", code: "resource_missing", message: "No such customer.", param: "id" } };
      const m = (b.mandate ?? {}) as Record<string, unknown>;
      const acceptedAt = new Date(String(m.accepted_at ?? ""));
      if (Number.isNaN(acceptedAt.getTime())) return { ok: false, error: { status: 400, type: "invalid_request_error", code: "mandate_required", message: "A card is saved only with the cardholder's consent: give mandate.text, mandate.locale (en or fa) and mandate.accepted_at (ISO 8601).", param: "mandate" } };
      const r = await attachPaymentMethod(scope, { customerId: id, token: String(b.token ?? ""), mandate: { text: String(m.text ?? ""), locale: String(m.locale ?? ""), acceptedAt, ip: typeof m.ip === "string" ? m.ip : null } });
      return r.ok ? { ok: true, status: 201, body: serializePaymentMethod(r.paymentMethod) } : r;
    }),
  detach: (request: Request, id = "") =>
    post(request, ["POST"], async (scope, _b, req) => {
      const r = await removePaymentMethod(scope, id, { customer: true, client: clientOf(req) });
      return r.ok ? { ok: true, status: 200, body: serializePaymentMethod(r.paymentMethod) } : r;
    }),
};

/* plans */

export const apiPlans = {
  list: (request: Request) => get(request, ["GET", "POST"], async (scope) => list((await listPlans(scope)).map(serializePlan))),
  create: (request: Request) =>
    post(request, ["GET", "POST"], async (scope, b) => {
      const r = await createPlan(scope, { name: b.name, amount: b.amount, currency: b.currency, interval: b.interval, intervalCount: b.interval_count, calendar: b.calendar, trialDays: b.trial_days });
      return r.ok ? { ok: true, status: 201, body: serializePlan(r.plan) } : r;
    }),
  get: (request: Request, id = "") =>
    get(request, ["GET"], async (scope) => {
      const p = await getPlan(scope, id);
      return p ? apiJson(200, serializePlan(p)) : notFound("plan");
    }),
};

/* subscriptions */

export const apiSubscriptions = {
  list: (request: Request) =>
    get(request, ["GET", "POST"], async (scope, url) => {
      const limit = limitOf(url);
      if (limit instanceof Response) return limit;
      const rows = await listSubscriptions(scope, { status: url.searchParams.get("status"), customerId: url.searchParams.get("customer_id"), limit });
      return list(rows.map((r) => serializeSubscription(r.subscription)));
    }),
  create: (request: Request) =>
    post(request, ["GET", "POST"], async (scope, b) => {
      const r = await startSubscription(scope, { customerId: b.customer_id, planId: b.plan_id, paymentMethodId: b.payment_method_id, quantity: b.quantity, startAt: b.start_at, trialDays: b.trial_days });
      return r.ok ? { ok: true, status: 201, body: serializeSubscription(r.subscription) } : r;
    }),
  get: (request: Request, id = "") =>
    get(request, ["GET"], async (scope) => {
      const s = await getSubscription(scope, id);
      return s ? apiJson(200, serializeSubscription(s)) : notFound("subscription");
    }),
  change: (request: Request, id = "", what: "cancel" | "pause" | "resume") =>
    post(request, ["POST"], async (scope, b, req) => {
      const by = { client: clientOf(req) };
      const r =
        what === "cancel"
          ? await cancelSubscription(scope, id, { atPeriodEnd: b.at_period_end === true, ...by })
          : what === "pause"
            ? await pauseSubscription(scope, id, by)
            : await resumeSubscription(scope, id, by);
      return r.ok ? { ok: true, status: 200, body: serializeSubscription(r.subscription) } : r;
    }),
  /** POST /subscriptions/:id/change_plan {plan_id, quantity?, preview?}: with preview true, the proration only. */
  changePlan: (request: Request, id = "") =>
    post(request, ["POST"], async (scope, b, req) => {
      const input = { planId: b.plan_id, quantity: b.quantity };
      if (b.preview !== undefined && typeof b.preview !== "boolean") {
        return { ok: false, error: { status: 400, type: "invalid_request_error", code: "preview_invalid", message: "preview must be true or false.", param: "preview" } };
      }
      if (b.preview === true) {
        const r = await previewPlanChange(scope, id, input);
        return r.ok ? { ok: true, status: 200, body: serializePlanChangePreview(r.preview) } : r;
      }
      const r = await changePlan(scope, id, input, { client: clientOf(req) });
      if (!r.ok) return r;
      return {
        ok: true,
        status: 200,
        body: { ...serializeSubscription(r.subscription), plan_change: { id: r.change.id, proration: r.change.proration.toString(), seconds_left: r.change.secondsLeft, period_seconds: r.change.periodSeconds, invoice: r.invoice ? serializeInvoice(r.invoice) : null } },
      };
    }),
};

/* invoices */

export const apiInvoices = {
  list: (request: Request) =>
    get(request, ["GET"], async (scope, url) => {
      const limit = limitOf(url);
      if (limit instanceof Response) return limit;
      return list((await listInvoices(scope, { status: url.searchParams.get("status"), subscriptionId: url.searchParams.get("subscription_id"), limit })).map(serializeInvoice));
    }),
  get: (request: Request, id = "") =>
    get(request, ["GET"], async (scope) => {
      const r = await getInvoice(scope, id);
      return r ? apiJson(200, { ...serializeInvoice(r.invoice), attempts: r.attempts.map((p) => serializePayment(p)) }) : notFound("invoice");
    }),
};
