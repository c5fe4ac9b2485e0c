import type { Permission } from "../../../app/lib/permissions";

/**
 * What every route of the app requires, written down independently of the code.
 * The permission test walks the Remix route manifest and fails for any route that
 * is missing here, so a new route cannot ship without deciding who may use it.
 *
 * - public: no session needed (sign-in, invitation links, the public API spec).
 * - api: authenticated with a terminal API key; a console session must not work.
 * - member: a signed-in member of the current merchant; `null` = any role,
 *   a permission = exactly the roles the matrix grants it.
 */
export type RouteAccess =
  | { kind: "public" }
  | { kind: "api" }
  | {
      kind: "member";
      loader?: Permission | null;
      action?: Permission | null;
      /** How a role without the permission is turned away: 403 (default), or a redirect to its own home page. */
      refusal?: "403" | "home";
    };

export const ROUTE_ACCESS: Record<string, RouteAccess> = {
  "routes/login": { kind: "public" },
  "routes/logout": { kind: "public" },
  "routes/invite.$merchantId.$token": { kind: "public" },
  "routes/switch-merchant": { kind: "member", action: null },
  "routes/signup": { kind: "public" },
  // Password reset by e-mail: asked for and used without a session.
  "routes/forgot-password": { kind: "public" },
  "routes/reset-password.$token": { kind: "public" },
  // Any member sees the checklist; each step's form needs its own permission (settings, bank, terminals).
  "routes/_app.onboarding": { kind: "member", loader: null, action: "settings:manage" },
  "routes/_app.settings._index": { kind: "member", loader: "settings:manage", action: "settings:manage" },
  "routes/_app.settings.bank": { kind: "member", loader: "settings:manage", action: "bank:manage" },
  "routes/_app": { kind: "member", loader: null },
  "routes/_app._index": { kind: "member", loader: "overview:view", refusal: "home" },
  "routes/_app.terminals._index": { kind: "member", loader: "terminals:manage", action: "terminals:manage" },
  "routes/_app.terminals.$terminalId": { kind: "member", loader: "terminals:manage", action: "terminals:manage" },
  "routes/_app.staff": { kind: "member", loader: "staff:manage", action: "staff:manage" },
  "routes/_app.settings.security": { kind: "member", loader: null, action: null },
  // The outbox as its reader sees it: their own mail (every mail only in development).
  "routes/_app.mailbox": { kind: "member", loader: null },
  // Each member's own notification switches (the kinds their role gets).
  "routes/_app.settings.notifications": { kind: "member", loader: null, action: null },
  "routes/_app.audit": { kind: "member", loader: "audit:view" },
  "routes/_app.events._index": { kind: "member", loader: "developers:manage" },
  "routes/_app.events.$eventId": { kind: "member", loader: "developers:manage", action: "developers:manage" },
  "routes/_app.webhooks._index": { kind: "member", loader: "developers:manage", action: "developers:manage" },
  "routes/_app.webhooks.$endpointId": { kind: "member", loader: "developers:manage", action: "developers:manage" },
  "routes/_app.payments._index": { kind: "member", loader: "payments:view" },
  "routes/_app.payments.$paymentId": { kind: "member", loader: "payments:view", action: "refunds:create" },
  "routes/_app.payments.lookup": { kind: "member", loader: "cards:view" },
  "routes/_app.refunds._index": { kind: "member", loader: "payments:view" },
  "routes/_app.payouts._index": { kind: "member", loader: "payouts:view" },
  "routes/_app.payouts.$payoutId": { kind: "member", loader: "payouts:view", action: "payouts:cancel" },
  // Its loader only redirects home (the form lives on other pages).
  "routes/preferences": { kind: "member", action: null },
  "routes/reports.$report": { kind: "member", loader: "reports:export" },
  "routes/_app.reports._index": { kind: "member", loader: "reports:export" },
  // Global search: any member; each kind of result is limited by the reader's permissions.
  "routes/_app.search": { kind: "member", loader: null },
  // Saved views: any member keeps their own (each list's loader still checks who may open it);
  // sharing with the team needs views:share, checked in the domain (refusals audited).
  "routes/_app.views": { kind: "member", loader: null, action: null },
  // The accountant's desk: fee statements, their lines as files, and the month-end close.
  "routes/_app.statements._index": { kind: "member", loader: "reports:export", action: "reports:export" },
  "routes/_app.statements.$statementId": { kind: "member", loader: "reports:export" },
  "routes/statements.$statementId.$file": { kind: "member", loader: "reports:export" },
  "routes/_app.close": { kind: "member", loader: "reports:export", action: "reports:export" },
  // Scheduled reports: the team's schedules and their history; a large run's file behind its mail's link.
  "routes/_app.reports.schedules._index": { kind: "member", loader: "reports:export", action: "reports:export" },
  "routes/_app.reports.schedules.$scheduleId": { kind: "member", loader: "reports:export", action: "reports:export" },
  "routes/reports.runs.$runId": { kind: "member", loader: "reports:export" },
  "routes/api.v1.openapi[.]json": { kind: "public" },
  "routes/_app.terminal": { kind: "member", loader: "terminal:charge", action: "terminal:charge" },
  // The sandbox provider is "another service": public tokenization and test cards;
  // the rest answers 401 without the sandbox's own server secret.
  "routes/sandbox.v1.tokens": { kind: "public" },
  "routes/sandbox.v1.test-cards": { kind: "public" },
  "routes/sandbox.v1.authorizations": { kind: "public" },
  "routes/sandbox.v1.authorizations.$authorizationId.capture": { kind: "public" },
  "routes/sandbox.v1.authorizations.$authorizationId.void": { kind: "public" },
  "routes/sandbox.v1.refunds": { kind: "public" },
  "routes/sandbox.v1.settlement-report": { kind: "public" },
  "routes/sandbox.v1.token-forms": { kind: "public" },
  "routes/sandbox.v1.authentication.$authorizationId": { kind: "public" },
  // The cardholder's side: payment links' hosted page, QR codes and signed receipts.
  "routes/pay.$linkId._index": { kind: "public" },
  "routes/pay.$linkId.$checkoutId": { kind: "public" },
  "routes/pay.$linkId.qr[.]svg": { kind: "public" },
  "routes/pay.$linkId.qr[.]png": { kind: "public" },
  "routes/receipt.$merchantId.$paymentId.$token": { kind: "public" },
  // Subscribing on a plan's public page, its QR codes, and the signed card-update link of a dunning notice.
  "routes/subscribe.$merchantId.$planId._index": { kind: "public" },
  "routes/subscribe.$merchantId.$planId.$checkoutId": { kind: "public" },
  "routes/subscribe.$merchantId.$planId.qr[.]svg": { kind: "public" },
  "routes/subscribe.$merchantId.$planId.qr[.]png": { kind: "public" },
  "routes/card.$merchantId.$subscriptionId.$expires.$signature": { kind: "public" },
  "routes/_app.links._index": { kind: "member", loader: "links:manage", action: "links:manage" },
  // Subscriptions (#19): every role reads; support manages customers and subscriptions; owner/admin plans.
  "routes/_app.customers._index": { kind: "member", loader: "subscriptions:view", action: "customers:manage" },
  "routes/_app.customers.$customerId": { kind: "member", loader: "subscriptions:view", action: "customers:manage" },
  "routes/_app.plans": { kind: "member", loader: "subscriptions:view", action: "plans:manage" },
  "routes/_app.subscriptions._index": { kind: "member", loader: "subscriptions:view" },
  "routes/_app.subscriptions.$subscriptionId": { kind: "member", loader: "subscriptions:view", action: "subscriptions:manage" },
  "routes/_app.links.$linkId": { kind: "member", loader: "links:manage", action: "links:manage" },
  "routes/api.v1.payment_links": { kind: "api" },
  "routes/api.v1.customers": { kind: "api" },
  "routes/api.v1.customers.$customerId": { kind: "api" },
  "routes/api.v1.customers.$customerId.payment_methods": { kind: "api" },
  "routes/api.v1.payment_methods.$paymentMethodId.detach": { kind: "api" },
  "routes/api.v1.plans": { kind: "api" },
  "routes/api.v1.plans.$planId": { kind: "api" },
  "routes/api.v1.subscriptions": { kind: "api" },
  "routes/api.v1.subscriptions.$subscriptionId": { kind: "api" },
  "routes/api.v1.subscriptions.$subscriptionId.cancel": { kind: "api" },
  "routes/api.v1.subscriptions.$subscriptionId.pause": { kind: "api" },
  "routes/api.v1.subscriptions.$subscriptionId.resume": { kind: "api" },
  "routes/api.v1.subscriptions.$subscriptionId.change_plan": { kind: "api" },
  "routes/api.v1.invoices": { kind: "api" },
  "routes/api.v1.invoices.$invoiceId": { kind: "api" },
  "routes/api.v1.payment_links.$linkId": { kind: "api" },
  "routes/api.v1.payment_links.$linkId.deactivate": { kind: "api" },
  "routes/api.v1.payments.$paymentId.verify": { kind: "api" },
  "routes/api.v1.$": { kind: "api" },
  "routes/api.v1.payments": { kind: "api" },
  "routes/api.v1.payments.$paymentId": { kind: "api" },
  "routes/api.v1.payments.$paymentId.capture": { kind: "api" },
  "routes/api.v1.payments.$paymentId.void": { kind: "api" },
  "routes/api.v1.payments.$paymentId.refunds": { kind: "api" },
  "routes/api.v1.refunds.$refundId": { kind: "api" },
  "routes/api.v1.events": { kind: "api" },
  "routes/api.v1.events.$eventId": { kind: "api" },
  "routes/api.v1.webhook_endpoints": { kind: "api" },
  "routes/api.v1.webhook_endpoints.$endpointId": { kind: "api" },
  "routes/api.v1.webhook_endpoints.$endpointId.replay": { kind: "api" },
};
