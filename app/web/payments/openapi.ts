/**
 * The OpenAPI 3.1 description of /api/v1. Kept honest by
 * tests/integration/payments/openapi.test.ts, which checks every documented operation
 * against the route modules and validates real responses against these schemas.
 */
import { DECLINE_MESSAGES, TEST_CARDS } from "~/modules/processors/test-cards";
import { CARD_BRANDS, CARD_FUNDINGS, INVOICE_STATUSES, PAYMENT_STATUSES, REFUND_REASONS, REFUND_STATUSES, SUBSCRIPTION_STATUSES } from "~/lib/vocabulary";
import { MAX_BODY_BYTES } from "~/web/edge/json.server";

const money = (description: string) => ({
  type: "string",
  pattern: "^-?[0-9]+$",
  description: `${description} Integer of minor units as a decimal string (IRR has none: rials).`,
});
/** An amount a request sends: minor units, a JSON integer or a decimal string. */
const amountInput = (description: string) => ({ oneOf: [{ type: "integer", minimum: 1 }, { type: "string", pattern: "^[0-9]+$" }], description });
const nullableString = (description?: string) => ({ type: ["string", "null"], ...(description ? { description } : {}) });
const timestamp = (description: string, nullable = false) => ({
  type: nullable ? ["string", "null"] : "string",
  format: "date-time",
  description,
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** A JSON answer that is one of the components' schemas. */
const one = (name: string, description: string) => ({ description, content: { "application/json": { schema: ref(name) } } });
const errorResponse = (description: string) => one("Error", description);
/** A request body that is one of the components' schemas. */
const bodyOf = (name: string, required = true) => ({ required, content: { "application/json": { schema: ref(name) } } });
/** An empty body, allowed to be absent: POSTs that take no parameters. */
const emptyBody = { required: false, content: { "application/json": { schema: { type: "object", additionalProperties: false } } } };
const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
/** A GET of one object by its id (a path parameter). */
const retrieve = (operationId: string, summary: string, param: string, schema: string, description: string) => ({
  operationId,
  summary,
  parameters: [pathParam(param)],
  responses: { "200": one(schema, description), ...commonErrors },
});
/** A page of a list: the items (a component) and the next page's cursor (its schema). */
const listOf = (name: string, nextCursor: object) => ({
  type: "object",
  additionalProperties: false,
  required: ["object", "data", "has_more", "next_cursor"],
  properties: {
    object: { type: "string", enum: ["list"] },
    data: { type: "array", items: ref(name) },
    has_more: { type: "boolean" },
    next_cursor: nextCursor,
  },
});

const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Up to 255 printable characters (a UUID is typical). The first response to a key (status and body, errors included) is stored for 24 hours and replayed for the same key, with the header Idempotent-Replayed: true. The same key with different parameters or on another endpoint is refused with 422. Concurrent requests with one key execute once. A request refused by validation (400) is not stored.",
  schema: { type: "string", minLength: 1, maxLength: 255 },
};

const commonErrors = {
  "400": errorResponse("Invalid request: the error names the parameter (param) and the reason."),
  "401": errorResponse("Missing, unknown or revoked API key."),
  "403": errorResponse("The key's terminal is deactivated, or the merchant is not active."),
  "404": errorResponse("No such object for this merchant (another merchant's ids are not found either)."),
  "405": errorResponse("Method not allowed on this endpoint."),
};

const postErrors = {
  ...commonErrors,
  "409": errorResponse("The object is not in a state that allows this (e.g. capturing a voided payment), or the Idempotency-Key is still in use."),
  "413": errorResponse(`The body is larger than ${MAX_BODY_BYTES} bytes.`),
  "415": errorResponse("The body is not JSON."),
  "422": errorResponse("The Idempotency-Key was used before with other parameters."),
};

const paymentId = pathParam("paymentId");

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Merchant Console payments API",
      version: "1.0.0",
      description: [
        "Take and refund card payments through a terminal's API key.",
        "",
        "Authenticate with `Authorization: Bearer <terminal API key>`. Money is an integer of minor units (JSON number or decimal string in requests; always a decimal string in responses); the currency must be the merchant's.",
        "",
        "Errors are `{ \"error\": { \"type\", \"code\", \"message\", \"param\" } }` with a 4xx status.",
        "",
        "Sandbox test cards (any future expiry, any CVC of the right length):",
        ...TEST_CARDS.map((c) => `- \`${c.number}\` (${c.brand}, ${c.funding}): ${c.outcome}`),
      ].join("\n"),
    },
    servers: [{ url: "/api/v1" }],
    security: [{ terminalKey: [] }],
    paths: {
      "/payments": {
        get: {
          operationId: "listPayments",
          summary: "List payments, newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 20 } },
            { name: "cursor", in: "query", description: "next_cursor of the previous page.", schema: { type: "string" } },
            {
              name: "status",
              in: "query",
              description: "One or more statuses, comma-separated.",
              schema: { type: "string" },
            },
            { name: "terminal_id", in: "query", schema: { type: "string" } },
            { name: "created_gte", in: "query", schema: { type: "string", format: "date-time" } },
            { name: "created_lt", in: "query", schema: { type: "string", format: "date-time" } },
            { name: "last4", in: "query", schema: { type: "string", pattern: "^[0-9]{4}$" } },
            { name: "customer_reference", in: "query", schema: { type: "string" } },
          ],
          responses: {
            "200": one("PaymentList", "A page of payments."),
            ...commonErrors,
          },
        },
        post: {
          operationId: "createPayment",
          summary: "Charge a card (or authorize only, with capture: false)",
          parameters: [idempotencyKey],
          requestBody: bodyOf("CreatePaymentRequest"),
          responses: {
            "201": one("Payment", "Approved: captured, or authorized when capture was false."),
            "202": one("Payment", "The provider did not answer in time: the payment is pending and reconciliation settles it within minutes. Never retry with a new key; fetch it instead."),
            "402": one("CardError", "Declined by the card's bank, or failed at the provider. The payment is recorded."),
            ...postErrors,
          },
        },
      },
      "/payments/{paymentId}": {
        get: {
          operationId: "getPayment",
          summary: "Retrieve a payment with its refunds",
          parameters: [paymentId],
          responses: {
            "200": one("Payment", "The payment."),
            ...commonErrors,
          },
        },
      },
      "/payments/{paymentId}/capture": {
        post: {
          operationId: "capturePayment",
          summary: "Capture an authorized payment (the whole amount)",
          parameters: [paymentId, idempotencyKey],
          requestBody: emptyBody,
          responses: {
            "200": one("Payment", "Captured."),
            ...postErrors,
          },
        },
      },
      "/payments/{paymentId}/void": {
        post: {
          operationId: "voidPayment",
          summary: "Void an authorized (not captured) payment",
          parameters: [paymentId, idempotencyKey],
          requestBody: emptyBody,
          responses: {
            "200": one("Payment", "Voided."),
            ...postErrors,
          },
        },
      },
      "/payments/{paymentId}/refunds": {
        get: {
          operationId: "listRefunds",
          summary: "The refunds of a payment",
          parameters: [paymentId],
          responses: {
            "200": one("RefundList", "All refunds of the payment, oldest first."),
            ...commonErrors,
          },
        },
        post: {
          operationId: "createRefund",
          summary: "Refund a captured payment, fully or partly",
          description:
            "Without amount, refunds everything still refundable. Several partial refunds are allowed while their sum stays within the captured amount; exactly the remainder is allowed. More than the remainder is refused (400 amount_exceeds_refundable, with `refundable`).",
          parameters: [paymentId, idempotencyKey],
          requestBody: bodyOf("CreateRefundRequest", false),
          responses: {
            "201": one("Refund", "The refund, succeeded or failed at the provider (a failed refund's money returns to the balance)."),
            "202": one("Refund", "The provider did not answer in time: the refund is pending; reconciliation settles it."),
            ...postErrors,
          },
        },
      },
      "/payments/{paymentId}/verify": {
        post: {
          operationId: "verifyPayment",
          summary: "Confirm a hosted-page payment the redirect announced (the gateways' verify step)",
          description:
            "After the cardholder comes back to your redirect_url (payment_id, status, amount, link_id and signature = hex HMAC-SHA256 of `payment_id.status.amount.link_id` with the link signing secret), confirm with this call. verified is true only when the money moved (captured). Send the amount you expect: a different one is refused (409 amount_mismatch).",
          parameters: [paymentId],
          requestBody: { required: false, content: { "application/json": { schema: { type: "object", additionalProperties: false, properties: { amount: { type: "string", pattern: "^[0-9]+$" } } } } } },
          responses: {
            "200": one("Verification", "What the payment is now."),
            "409": one("Error", "amount_mismatch: the payment is for another amount."),
            ...commonErrors,
          },
        },
      },
      ...subscriptionPaths(idempotencyKey, commonErrors, postErrors),
      "/payment_links": {
        get: {
          operationId: "listPaymentLinks",
          summary: "List payment links, newest first, with what each has taken",
          parameters: [{ name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } }],
          responses: {
            "200": { description: "The links.", content: { "application/json": { schema: { type: "object", properties: { object: { type: "string" }, data: { type: "array", items: ref("PaymentLink") }, has_more: { type: "boolean" } } } } } },
            ...commonErrors,
          },
        },
        post: {
          operationId: "createPaymentLink",
          summary: "Create a payment link: a fixed amount, or min_amount/max_amount for the customer to choose",
          parameters: [idempotencyKey],
          requestBody: bodyOf("CreatePaymentLinkRequest"),
          responses: {
            "201": one("PaymentLink", "The link, with its public url."),
            ...postErrors,
          },
        },
      },
      "/payment_links/{linkId}": {
        get: retrieve("getPaymentLink", "Retrieve a payment link", "linkId", "PaymentLink", "The link."),
      },
      "/payment_links/{linkId}/deactivate": {
        post: {
          operationId: "deactivatePaymentLink",
          summary: "Deactivate a payment link (again: the same answer)",
          parameters: [pathParam("linkId"), idempotencyKey],
          requestBody: emptyBody,
          responses: {
            "200": one("PaymentLink", "The deactivated link."),
            ...postErrors,
          },
        },
      },
      "/refunds/{refundId}": {
        get: retrieve("getRefund", "Retrieve a refund", "refundId", "Refund", "The refund."),
      },
      "/events": {
        get: {
          operationId: "listEvents",
          summary: "List events after a sequence number (oldest first)",
          description: "Keep the sequence number of the last event you processed and ask for `after` it: sequence numbers are given in commit order, so none is ever skipped.",
          parameters: [
            { name: "after", in: "query", schema: { type: "integer", minimum: 0 } },
            { name: "type", in: "query", description: "An event type (payment.succeeded) or group (payment.*); repeatable or comma-separated.", schema: { type: "string" } },
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
          ],
          responses: {
            "200": {
              description: "A page of events.",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { object: { const: "list" }, data: { type: "array", items: ref("Event") }, has_more: { type: "boolean" }, next_after: { type: "integer" } } },
                },
              },
            },
            ...commonErrors,
          },
        },
      },
      "/events/{eventId}": {
        get: retrieve("getEvent", "Retrieve an event", "eventId", "Event", "The event."),
      },
      "/webhook_endpoints": {
        get: {
          operationId: "listWebhookEndpoints",
          summary: "List webhook endpoints",
          responses: { "200": { description: "The endpoints (without their secrets)." }, ...commonErrors },
        },
        post: {
          operationId: "createWebhookEndpoint",
          summary: "Add a webhook endpoint; the answer carries its signing secret, shown only this once",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["url", "events"],
                  properties: { url: { type: "string", format: "uri" }, events: { type: "array", items: { type: "string" }, description: 'Event types, groups (payment.*) or ["*"].' }, description: { type: "string" } },
                },
              },
            },
          },
          responses: { "201": one("WebhookEndpoint", "The endpoint with its `secret`."), ...commonErrors },
        },
      },
      "/webhook_endpoints/{endpointId}": {
        get: retrieve("getWebhookEndpoint", "Retrieve a webhook endpoint", "endpointId", "WebhookEndpoint", "The endpoint."),
        post: {
          operationId: "updateWebhookEndpoint",
          summary: "Change a webhook endpoint (url, events, description, enabled)",
          parameters: [pathParam("endpointId")],
          requestBody: {
            content: {
              "application/json": {
                schema: { type: "object", properties: { url: { type: "string" }, events: { type: "array", items: { type: "string" } }, description: { type: "string" }, enabled: { type: "boolean" } } },
              },
            },
          },
          responses: { "200": one("WebhookEndpoint", "The endpoint."), ...commonErrors },
        },
        delete: {
          operationId: "deleteWebhookEndpoint",
          summary: "Delete a webhook endpoint",
          parameters: [pathParam("endpointId")],
          responses: { "200": { description: "Deleted." }, ...commonErrors },
        },
      },
      "/webhook_endpoints/{endpointId}/replay": {
        post: {
          operationId: "replayWebhookEvents",
          summary: "Deliver again, in order, every event the endpoint subscribes to after a sequence number",
          parameters: [pathParam("endpointId")],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["after"], properties: { after: { type: "integer", minimum: 0 } } } } } },
          responses: { "202": { description: "How many deliveries were queued." }, ...commonErrors },
        },
      },
    },
    components: {
      securitySchemes: {
        terminalKey: { type: "http", scheme: "bearer", description: "A terminal's secret API key (sk_...)." },
      },
      schemas: {
        ...subscriptionSchemas(),
        PaymentLink: {
          type: "object",
          required: ["id", "object", "url", "status", "currency", "description", "reusable"],
          properties: {
            id: { type: "string" },
            object: { type: "string", enum: ["payment_link"] },
            url: { type: "string", description: "The public page to share (its QR code: url + /qr.svg or /qr.png)." },
            status: { type: "string", enum: ["active", "expired", "used", "deactivated"] },
            amount: { type: ["string", "null"] },
            min_amount: { type: ["string", "null"] },
            max_amount: { type: ["string", "null"] },
            currency: { type: "string" },
            description: { type: "string" },
            customer_fields: { type: "array", items: { type: "string", enum: ["name", "phone", "email", "note"] } },
            reusable: { type: "boolean" },
            expires_at: { type: ["string", "null"], format: "date-time" },
            redirect_url: { type: ["string", "null"] },
            payments_count: { type: "integer" },
            payments_total: { type: "string" },
            created_at: { type: "string", format: "date-time" },
            deactivated_at: { type: ["string", "null"], format: "date-time" },
          },
        },
        CreatePaymentLinkRequest: {
          type: "object",
          required: ["description"],
          additionalProperties: false,
          properties: {
            amount: { type: "string", description: "Fixed amount in minor units; or give min_amount and max_amount." },
            min_amount: { type: "string" },
            max_amount: { type: "string" },
            description: { type: "string", maxLength: 200 },
            reusable: { type: "boolean", default: false },
            expires_at: { type: ["string", "null"], format: "date-time" },
            redirect_url: { type: ["string", "null"], description: "https URL the cardholder returns to, with payment_id, status, amount, link_id and signature." },
            customer_fields: { type: "array", items: { type: "string", enum: ["name", "phone", "email", "note"] } },
          },
        },
        Verification: {
          type: "object",
          required: ["object", "verified", "payment_id", "status", "amount", "currency"],
          properties: {
            object: { type: "string", enum: ["verification"] },
            verified: { type: "boolean" },
            payment_id: { type: "string" },
            status: { type: "string" },
            amount: { type: "string" },
            currency: { type: "string" },
            payment_link_id: { type: ["string", "null"] },
            reference: { type: ["string", "null"] },
            trace_number: { type: "string" },
            payment: ref("Payment"),
          },
        },
        Event: {
          type: "object",
          properties: {
            id: { type: "string" },
            object: { const: "event" },
            sequence: { type: "integer" },
            type: { type: "string" },
            created_at: { type: "string", format: "date-time" },
            data: { type: "object", properties: { object: { type: "object" } } },
          },
        },
        WebhookEndpoint: {
          type: "object",
          properties: {
            id: { type: "string" },
            object: { const: "webhook_endpoint" },
            url: { type: "string" },
            events: { type: "array", items: { type: "string" } },
            description: { type: ["string", "null"] },
            status: { enum: ["enabled", "disabled"] },
            disabled_reason: { type: ["string", "null"] },
            secret: { type: "string", description: "Only in the answer that created the endpoint." },
            created_at: { type: "string", format: "date-time" },
          },
        },
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["type", "code", "message", "param"],
              properties: {
                type: {
                  type: "string",
                  enum: ["invalid_request_error", "card_error", "authentication_error", "permission_error", "idempotency_error", "api_error"],
                },
                code: { type: "string" },
                message: { type: "string" },
                param: nullableString("The parameter the error is about."),
                refundable: { ...money("What is still refundable (amount_exceeds_refundable)."), type: "string" },
                decline_code: nullableString(),
                payment_id: { type: "string" },
                limit: { type: "string" },
              },
            },
          },
        },
        CardError: {
          type: "object",
          required: ["error", "payment"],
          properties: {
            error: {
              type: "object",
              required: ["type", "code", "message", "param", "decline_code", "payment_id"],
              properties: {
                type: { type: "string", enum: ["card_error"] },
                code: { type: "string", enum: ["card_declined", "processing_error"] },
                message: { type: "string" },
                param: { type: "string" },
                decline_code: { type: "string", enum: [...Object.keys(DECLINE_MESSAGES), "processing_error"] },
                payment_id: { type: "string" },
              },
            },
            payment: ref("Payment"),
          },
        },
        Card: {
          type: "object",
          additionalProperties: false,
          required: ["brand", "funding", "bin", "last4", "masked_number", "exp_month", "exp_year", "issuer_bank"],
          properties: {
            brand: { type: "string", enum: [...CARD_BRANDS] },
            funding: { type: "string", enum: [...CARD_FUNDINGS] },
            bin: nullableString("First six digits."),
            last4: nullableString(),
            masked_number: nullableString("BIN and last 4 digits at most, e.g. 424242******4242."),
            exp_month: { type: ["integer", "null"] },
            exp_year: { type: ["integer", "null"] },
            issuer_bank: nullableString("Iranian bank code (e.g. 017) or the card network."),
          },
        },
        Payment: {
          type: "object",
          additionalProperties: false,
          required: [
            "id", "object", "status", "amount", "currency", "amount_captured", "amount_refunded", "amount_refundable",
            "fee", "net", "card", "description", "customer_reference", "terminal_id", "payment_link_id", "provider_reference",
            "decline_code", "decline_message", "created_at", "authorized_at", "captured_at", "voided_at",
          ],
          properties: {
            id: { type: "string" },
            object: { type: "string", enum: ["payment"] },
            status: { type: "string", enum: [...PAYMENT_STATUSES] },
            amount: money("Amount of the payment."),
            currency: { type: "string", pattern: "^[A-Z]{3}$" },
            amount_captured: money("Captured amount."),
            amount_refunded: money("Refunded so far (pending and succeeded refunds)."),
            amount_refundable: money("amount - amount_refunded for a captured payment, else 0."),
            fee: money("Our fee."),
            net: money("amount - fee once captured."),
            card: ref("Card"),
            description: nullableString(),
            customer_reference: nullableString(),
            customer_id: nullableString("The customer it belongs to (see /customers), if any."),
            invoice_id: nullableString("For a subscription's renewal: the invoice this payment is an attempt of."),
            terminal_id: { type: "string" },
            payment_link_id: nullableString("The payment link (pl_…) the customer paid through, or null."),
            provider_reference: nullableString(),
            decline_code: nullableString(),
            decline_message: nullableString("Why it was declined, in plain words."),
            created_at: timestamp("Created (UTC)."),
            authorized_at: timestamp("Authorized (UTC).", true),
            captured_at: timestamp("Captured (UTC).", true),
            voided_at: timestamp("Voided (UTC).", true),
            refunds: { type: "array", items: ref("Refund") },
          },
        },
        Refund: {
          type: "object",
          additionalProperties: false,
          required: ["id", "object", "payment_id", "amount", "currency", "status", "reason", "note", "failure_code", "failure_message", "provider_reference", "created_at", "updated_at"],
          properties: {
            id: { type: "string" },
            object: { type: "string", enum: ["refund"] },
            payment_id: { type: "string" },
            amount: money("Refunded amount."),
            currency: { type: "string", pattern: "^[A-Z]{3}$" },
            status: { type: "string", enum: [...REFUND_STATUSES] },
            reason: { type: "string", enum: [...REFUND_REASONS] },
            note: nullableString(),
            failure_code: nullableString(),
            failure_message: nullableString(),
            provider_reference: nullableString(),
            created_at: timestamp("Created (UTC)."),
            updated_at: timestamp("Last change (UTC)."),
          },
        },
        PaymentList: listOf("Payment", nullableString("Pass as cursor for the next page.")),
        RefundList: listOf("Refund", { type: "null" }),
        CreatePaymentRequest: {
          type: "object",
          additionalProperties: false,
          required: ["amount", "currency"],
          properties: {
            amount: amountInput("Minor units, greater than zero."),
            currency: { type: "string", description: "Must be the merchant's currency." },
            card: {
              type: "object",
              additionalProperties: false,
              required: ["number", "exp_month", "exp_year", "cvc"],
              properties: {
                number: { type: "string", description: "Luhn-valid card number (spaces allowed)." },
                exp_month: { oneOf: [{ type: "integer", minimum: 1, maximum: 12 }, { type: "string" }] },
                exp_year: { oneOf: [{ type: "integer" }, { type: "string" }], description: "Two or four digits." },
                cvc: { type: "string" },
              },
            },
            token: { type: "string", description: "A sandbox card token (POST /sandbox/v1/tokens) instead of card." },
            description: { type: ["string", "null"], maxLength: 500 },
            customer_reference: { type: ["string", "null"], maxLength: 200 },
            capture: { type: "boolean", default: true, description: "false: authorize only; capture later." },
          },
        },
        CreateRefundRequest: {
          type: "object",
          additionalProperties: false,
          properties: {
            amount: amountInput("Minor units; omitted = everything still refundable."),
            reason: { type: "string", enum: [...REFUND_REASONS], default: "requested_by_customer" },
            note: { type: ["string", "null"], maxLength: 1000 },
          },
        },
      },
    },
  };
}

/* ---- Subscriptions (#19): customers, saved cards, plans, subscriptions, invoices ---- */

const many = (name: string) => ({ description: "The list, newest first.", content: { "application/json": { schema: { type: "object", properties: { object: { type: "string" }, data: { type: "array", items: ref(name) }, has_more: { type: "boolean" } } } } } });
const jsonBody = (properties: Record<string, unknown>, required: string[] = []) => ({ required: true, content: { "application/json": { schema: { type: "object", properties, required } } } });

function subscriptionPaths(idem: unknown, common: Record<string, unknown>, postErrors: Record<string, unknown>) {
  const customerFields = { name: { type: "string", maxLength: 200 }, email: { type: ["string", "null"] }, phone: { type: ["string", "null"] }, reference: { type: ["string", "null"] }, notes: { type: ["string", "null"] } };
  return {
    "/customers": {
      get: { operationId: "listCustomers", summary: "List customers; q matches the start of the name, e-mail, phone or reference", parameters: [{ name: "q", in: "query", schema: { type: "string" } }, { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } }], responses: { "200": many("Customer"), ...common } },
      post: { operationId: "createCustomer", summary: "Create a customer", parameters: [idem], requestBody: jsonBody(customerFields, ["name"]), responses: { "201": one("Customer", "The customer."), ...postErrors } },
    },
    "/customers/{customerId}": {
      get: { operationId: "getCustomer", summary: "Retrieve a customer with their subscriptions and saved cards", parameters: [pathParam("customerId")], responses: { "200": one("Customer", "The customer."), ...common } },
      post: { operationId: "updateCustomer", summary: "Update a customer (fields left out keep their value)", parameters: [pathParam("customerId"), idem], requestBody: jsonBody(customerFields), responses: { "200": one("Customer", "The customer."), ...postErrors } },
    },
    "/customers/{customerId}/payment_methods": {
      get: { operationId: "listPaymentMethods", summary: "A customer's saved cards", parameters: [pathParam("customerId")], responses: { "200": many("PaymentMethod"), ...common } },
      post: {
        operationId: "attachPaymentMethod",
        summary: "Save a card the cardholder tokenized, with the consent they gave (mandate text, language, time)",
        parameters: [pathParam("customerId"), idem],
        requestBody: jsonBody({ token: { type: "string" }, mandate: { type: "object", properties: { text: { type: "string" }, locale: { type: "string", enum: ["en", "fa"] }, accepted_at: { type: "string", format: "date-time" }, ip: { type: "string" } }, required: ["text", "locale", "accepted_at"] } }, ["token", "mandate"]),
        responses: { "201": one("PaymentMethod", "The saved card (token only)."), ...postErrors },
      },
    },
    "/payment_methods/{paymentMethodId}/detach": {
      post: { operationId: "detachPaymentMethod", summary: "Remove a saved card (audited); its subscriptions renew without a card until a new one is saved", parameters: [pathParam("paymentMethodId"), idem], responses: { "200": one("PaymentMethod", "The removed card."), ...postErrors } },
    },
    "/plans": {
      get: { operationId: "listPlans", summary: "List plans", responses: { "200": many("Plan"), ...common } },
      post: {
        operationId: "createPlan",
        summary: "Create a plan. IRR merchants renew on Jalali months by default (calendar persian), others on Gregorian months",
        parameters: [idem],
        requestBody: jsonBody({ name: { type: "string" }, amount: { type: "string", description: "Minor units." }, currency: { type: "string" }, interval: { type: "string", enum: ["week", "month", "year"] }, interval_count: { type: "integer", minimum: 1 }, calendar: { type: "string", enum: ["persian", "gregory"] }, trial_days: { type: "integer", minimum: 0, maximum: 730 } }, ["name", "amount", "interval"]),
        responses: { "201": one("Plan", "The plan."), ...postErrors },
      },
    },
    "/plans/{planId}": { get: { operationId: "getPlan", summary: "Retrieve a plan", parameters: [pathParam("planId")], responses: { "200": one("Plan", "The plan."), ...common } } },
    "/subscriptions": {
      get: { operationId: "listSubscriptions", summary: "List subscriptions", parameters: [{ name: "status", in: "query", schema: { type: "string" } }, { name: "customer_id", in: "query", schema: { type: "string" } }, { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } }], responses: { "200": many("Subscription"), ...common } },
      post: {
        operationId: "createSubscription",
        summary: "Subscribe a customer to a plan; starting now without a trial bills and charges the first period at once",
        parameters: [idem],
        requestBody: jsonBody({ customer_id: { type: "string" }, plan_id: { type: "string" }, payment_method_id: { type: ["string", "null"] }, quantity: { type: "integer", minimum: 1 }, start_at: { type: "string", format: "date-time" }, trial_days: { type: "integer", minimum: 0 } }, ["customer_id", "plan_id"]),
        responses: { "201": one("Subscription", "The subscription."), ...postErrors },
      },
    },
    "/subscriptions/{subscriptionId}": { get: { operationId: "getSubscription", summary: "Retrieve a subscription", parameters: [pathParam("subscriptionId")], responses: { "200": one("Subscription", "The subscription."), ...common } } },
    "/subscriptions/{subscriptionId}/cancel": {
      post: { operationId: "cancelSubscription", summary: "Cancel now (open invoices are voided) or at the end of the current period (at_period_end: true)", parameters: [pathParam("subscriptionId"), idem], requestBody: jsonBody({ at_period_end: { type: "boolean" } }), responses: { "200": one("Subscription", "The subscription."), ...postErrors } },
    },
    "/subscriptions/{subscriptionId}/change_plan": {
      post: {
        operationId: "changeSubscriptionPlan",
        summary:
          "Change plan (and quantity) mid-period, same billing cycle only. proration = (new price × quantity - old price × quantity) × seconds left / seconds in the period, minor units, rounded half away from zero: a charge is one proration invoice charged at once on the saved card, a credit is taken off the next invoices. With preview: true, only the figures (nothing changes).",
        parameters: [pathParam("subscriptionId"), idem],
        requestBody: jsonBody({ plan_id: { type: "string" }, quantity: { type: "integer", minimum: 1 }, preview: { type: "boolean" } }, ["plan_id"]),
        responses: { "200": one("Subscription", "The subscription with plan_change (or, with preview, a plan_change_preview object)."), ...postErrors },
      },
    },
    "/subscriptions/{subscriptionId}/pause": { post: { operationId: "pauseSubscription", summary: "Pause: no renewals and no retries", parameters: [pathParam("subscriptionId"), idem], responses: { "200": one("Subscription", "The subscription."), ...postErrors } } },
    "/subscriptions/{subscriptionId}/resume": { post: { operationId: "resumeSubscription", summary: "Resume: the periods passed while paused are not billed", parameters: [pathParam("subscriptionId"), idem], responses: { "200": one("Subscription", "The subscription."), ...postErrors } } },
    "/invoices": { get: { operationId: "listInvoices", summary: "List invoices (one per subscription and period)", parameters: [{ name: "status", in: "query", schema: { type: "string" } }, { name: "subscription_id", in: "query", schema: { type: "string" } }, { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 200 } }], responses: { "200": many("Invoice"), ...common } } },
    "/invoices/{invoiceId}": { get: { operationId: "getInvoice", summary: "Retrieve an invoice with every charge attempt (payments)", parameters: [pathParam("invoiceId")], responses: { "200": one("Invoice", "The invoice."), ...common } } },
  };
}

function subscriptionSchemas() {
  const s = { type: "string" };
  const ns = { type: ["string", "null"] };
  const t = { type: ["string", "null"], format: "date-time" };
  return {
    Customer: { type: "object", required: ["id", "object", "name"], properties: { id: s, object: { type: "string", enum: ["customer"] }, name: s, email: ns, phone: ns, reference: ns, notes: ns, source: { type: "string", enum: ["console", "api", "hosted_page"] }, created_at: t, updated_at: t, subscriptions: { type: "array", items: ref("Subscription") }, payment_methods: { type: "array", items: ref("PaymentMethod") } } },
    PaymentMethod: { type: "object", required: ["id", "object", "customer_id", "status", "card", "mandate"], properties: { id: s, object: { type: "string", enum: ["payment_method"] }, customer_id: s, status: { type: "string", enum: ["active", "removed"] }, card: { type: "object", properties: { brand: s, last4: s, exp_month: { type: "integer" }, exp_year: { type: "integer" } } }, mandate: { type: "object", properties: { text: s, locale: s, accepted_at: t } }, removed_at: t, removed_by: ns, created_at: t } },
    Plan: { type: "object", required: ["id", "object", "name", "amount", "currency", "interval", "interval_count", "calendar"], properties: { id: s, object: { type: "string", enum: ["plan"] }, name: s, amount: { type: "string", description: "Minor units." }, currency: s, interval: { type: "string", enum: ["week", "month", "year"] }, interval_count: { type: "integer" }, calendar: { type: "string", enum: ["persian", "gregory"] }, trial_days: { type: "integer" }, active: { type: "boolean" }, created_at: t } },
    Subscription: { type: "object", required: ["id", "object", "customer_id", "plan_id", "status"], properties: { id: s, object: { type: "string", enum: ["subscription"] }, customer_id: s, plan_id: s, payment_method_id: ns, status: { type: "string", enum: [...SUBSCRIPTION_STATUSES] }, quantity: { type: "integer" }, calendar: s, time_zone: s, interval: s, interval_count: { type: "integer" }, start_at: t, trial_end_at: t, current_period_start: t, current_period_end: t, next_renewal_at: t, cancel_at_period_end: { type: "boolean" }, canceled_at: t, ended_at: t, paused_at: t, created_at: t } },
    Invoice: { type: "object", required: ["id", "object", "subscription_id", "status", "amount", "period_start", "period_end"], properties: { id: s, object: { type: "string", enum: ["invoice"] }, subscription_id: s, customer_id: s, status: { type: "string", enum: [...INVOICE_STATUSES] }, amount: s, currency: s, period_start: t, period_end: t, attempt_count: { type: "integer" }, next_attempt_at: t, payment_id: ns, paid_at: t, created_at: t, attempts: { type: "array", items: ref("Payment") } } },
  };
}
