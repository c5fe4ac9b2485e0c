import * as paymentsRoute from "~/routes/api.v1.payments";
import * as paymentRoute from "~/routes/api.v1.payments.$paymentId";
import * as captureRoute from "~/routes/api.v1.payments.$paymentId.capture";
import * as voidRoute from "~/routes/api.v1.payments.$paymentId.void";
import * as verifyRoute from "~/routes/api.v1.payments.$paymentId.verify";
import * as linksRoute from "~/routes/api.v1.payment_links";
import * as linkRoute from "~/routes/api.v1.payment_links.$linkId";
import * as linkDeactivateRoute from "~/routes/api.v1.payment_links.$linkId.deactivate";
import * as refundsRoute from "~/routes/api.v1.payments.$paymentId.refunds";
import * as refundRoute from "~/routes/api.v1.refunds.$refundId";
import * as splatRoute from "~/routes/api.v1.$";
import * as openapiRoute from "~/routes/api.v1.openapi[.]json";
import * as eventsRoute from "~/routes/api.v1.events";
import * as eventRoute from "~/routes/api.v1.events.$eventId";
import * as endpointsRoute from "~/routes/api.v1.webhook_endpoints";
import * as endpointRoute from "~/routes/api.v1.webhook_endpoints.$endpointId";
import * as replayRoute from "~/routes/api.v1.webhook_endpoints.$endpointId.replay";
import * as customersRoute from "~/routes/api.v1.customers";
import * as customerRoute from "~/routes/api.v1.customers.$customerId";
import * as customerMethodsRoute from "~/routes/api.v1.customers.$customerId.payment_methods";
import * as detachRoute from "~/routes/api.v1.payment_methods.$paymentMethodId.detach";
import * as plansRoute from "~/routes/api.v1.plans";
import * as planRoute from "~/routes/api.v1.plans.$planId";
import * as subscriptionsRoute from "~/routes/api.v1.subscriptions";
import * as subscriptionRoute from "~/routes/api.v1.subscriptions.$subscriptionId";
import * as subCancelRoute from "~/routes/api.v1.subscriptions.$subscriptionId.cancel";
import * as subChangePlanRoute from "~/routes/api.v1.subscriptions.$subscriptionId.change_plan";
import * as subPauseRoute from "~/routes/api.v1.subscriptions.$subscriptionId.pause";
import * as subResumeRoute from "~/routes/api.v1.subscriptions.$subscriptionId.resume";
import * as invoicesRoute from "~/routes/api.v1.invoices";
import * as invoiceRoute from "~/routes/api.v1.invoices.$invoiceId";

type RouteModule = {
  loader?: (args: never) => Response | Promise<Response>;
  action?: (args: never) => Response | Promise<Response>;
};

/** Which route module serves a path, as Remix's flat routes would match it. */
export function routeFor(path: string): { mod: RouteModule; params: Record<string, string> } {
  const p = path.replace(/^\/api\/v1/, "").replace(/\?.*$/, "").replace(/\/+$/, "");
  let m: RegExpExecArray | null;
  if (p === "/payments") return { mod: paymentsRoute, params: {} };
  if (p === "/openapi.json") return { mod: openapiRoute, params: {} };
  if ((m = /^\/payments\/([^/]+)$/.exec(p))) return { mod: paymentRoute, params: { paymentId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/payments\/([^/]+)\/capture$/.exec(p))) return { mod: captureRoute, params: { paymentId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/payments\/([^/]+)\/void$/.exec(p))) return { mod: voidRoute, params: { paymentId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/payments\/([^/]+)\/verify$/.exec(p))) return { mod: verifyRoute, params: { paymentId: decodeURIComponent(m[1]!) } };
  if (p === "/payment_links") return { mod: linksRoute, params: {} };
  if ((m = /^\/payment_links\/([^/]+)$/.exec(p))) return { mod: linkRoute, params: { linkId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/payment_links\/([^/]+)\/deactivate$/.exec(p))) return { mod: linkDeactivateRoute, params: { linkId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/payments\/([^/]+)\/refunds$/.exec(p))) return { mod: refundsRoute, params: { paymentId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/refunds\/([^/]+)$/.exec(p))) return { mod: refundRoute, params: { refundId: decodeURIComponent(m[1]!) } };
  if (p === "/events") return { mod: eventsRoute, params: {} };
  if ((m = /^\/events\/([^/]+)$/.exec(p))) return { mod: eventRoute, params: { eventId: decodeURIComponent(m[1]!) } };
  if (p === "/webhook_endpoints") return { mod: endpointsRoute, params: {} };
  if ((m = /^\/webhook_endpoints\/([^/]+)$/.exec(p))) return { mod: endpointRoute, params: { endpointId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/webhook_endpoints\/([^/]+)\/replay$/.exec(p))) return { mod: replayRoute, params: { endpointId: decodeURIComponent(m[1]!) } };
  if (p === "/customers") return { mod: customersRoute, params: {} };
  if ((m = /^\/customers\/([^/]+)$/.exec(p))) return { mod: customerRoute, params: { customerId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/customers\/([^/]+)\/payment_methods$/.exec(p))) return { mod: customerMethodsRoute, params: { customerId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/payment_methods\/([^/]+)\/detach$/.exec(p))) return { mod: detachRoute, params: { paymentMethodId: decodeURIComponent(m[1]!) } };
  if (p === "/plans") return { mod: plansRoute, params: {} };
  if ((m = /^\/plans\/([^/]+)$/.exec(p))) return { mod: planRoute, params: { planId: decodeURIComponent(m[1]!) } };
  if (p === "/subscriptions") return { mod: subscriptionsRoute, params: {} };
  if ((m = /^\/subscriptions\/([^/]+)$/.exec(p))) return { mod: subscriptionRoute, params: { subscriptionId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/subscriptions\/([^/]+)\/cancel$/.exec(p))) return { mod: subCancelRoute, params: { subscriptionId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/subscriptions\/([^/]+)\/change_plan$/.exec(p))) return { mod: subChangePlanRoute, params: { subscriptionId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/subscriptions\/([^/]+)\/pause$/.exec(p))) return { mod: subPauseRoute, params: { subscriptionId: decodeURIComponent(m[1]!) } };
  if ((m = /^\/subscriptions\/([^/]+)\/resume$/.exec(p))) return { mod: subResumeRoute, params: { subscriptionId: decodeURIComponent(m[1]!) } };
  if (p === "/invoices") return { mod: invoicesRoute, params: {} };
  if ((m = /^\/invoices\/([^/]+)$/.exec(p))) return { mod: invoiceRoute, params: { invoiceId: decodeURIComponent(m[1]!) } };
  return { mod: splatRoute, params: { "*": p.slice(1) } };
}

export interface ApiCall {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** Calls the route module's loader (GET/HEAD) or action (anything else) like Remix would. */
export async function api(method: string, path: string, opts: ApiCall = {}): Promise<ApiResult> {
  const headers = new Headers(opts.headers ?? {});
  if (opts.key !== null && opts.key !== undefined) headers.set("Authorization", `Bearer ${opts.key}`);
  if (opts.idempotencyKey !== undefined) headers.set("Idempotency-Key", opts.idempotencyKey);
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers.has("content-type")) headers.set("Content-Type", "application/json");
  const url = `http://localhost${path.startsWith("/api/v1") ? path : `/api/v1${path}`}`;
  const request = new Request(url, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
  const { mod, params } = routeFor(new URL(url).pathname);
  const fn = method === "GET" || method === "HEAD" ? mod.loader : mod.action;
  if (!fn) throw new Error(`no ${method} handler for ${path}`);
  const res = await (fn as (a: unknown) => Promise<Response>)({ request, params, context: {} });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { __text: text };
  }
  return { status: res.status, headers: res.headers, json };
}
