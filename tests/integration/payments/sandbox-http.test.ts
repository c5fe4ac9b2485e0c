import { useTestDatabase } from "../../support/db";
import * as tokens from "~/routes/sandbox.v1.tokens";
import * as authorizations from "~/routes/sandbox.v1.authorizations";
import * as capture from "~/routes/sandbox.v1.authorizations.$authorizationId.capture";
import * as voids from "~/routes/sandbox.v1.authorizations.$authorizationId.void";
import * as refunds from "~/routes/sandbox.v1.refunds";
import * as settlement from "~/routes/sandbox.v1.settlement-report";
import * as testCards from "~/routes/sandbox.v1.test-cards";
import { sandboxApiSecret, sandboxHttpConfig } from "~/web/sandbox/http.server";
import { CARD, fastSandbox } from "./fixtures";
import { CARD_EXP_YEAR } from "../../support/cards";

useTestDatabase({ seed: "none" });
beforeAll(() => {
  fastSandbox();
  sandboxHttpConfig.silenceMs = 10;
});

type Handler = (a: never) => Response | Promise<Response>;

async function call(fn: Handler | undefined, method: string, url: string, body?: unknown, opts: { auth?: boolean; params?: Record<string, string> } = {}) {
  const headers = new Headers({ "Content-Type": "application/json" });
  if (opts.auth !== false) {
    headers.set("Authorization", `Bearer ${sandboxApiSecret()}`);
    headers.set("Sandbox-Account", "acct_test");
  }
  const request = new Request(`http://localhost/sandbox/v1${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const res = await (fn as (a: unknown) => Promise<Response>)({ request, params: opts.params ?? {}, context: {} });
  return { status: res.status, json: await res.json() };
}

describe("the sandbox provider's HTTP face", () => {
  it("tokenizes, authorizes, captures, refunds, answers inquiries and reports settlement", async () => {
    const cards = await call(testCards.loader as Handler, "GET", "/test-cards", undefined, { auth: false });
    expect(cards.json.data.length).toBeGreaterThan(10);

    const year = CARD_EXP_YEAR;
    const tok = await call(tokens.action as Handler, "POST", "/tokens", { number: CARD.approve, exp_month: 5, exp_year: year, cvc: "321" }, { auth: false });
    expect(tok.status).toBe(201);
    expect(tok.json.id).toMatch(/^tok_/);
    expect(tok.json.card).toMatchObject({ last4: "4242", brand: "visa" });
    expect(JSON.stringify(tok.json)).not.toContain(CARD.approve);
    const badLuhn = await call(tokens.action as Handler, "POST", "/tokens", { number: "4242424242424241", exp_month: 5, exp_year: year, cvc: "321" }, { auth: false });
    expect(badLuhn.status).toBe(402);
    expect(badLuhn.json.error.param).toBe("card[number]");

    const noSecret = await call(authorizations.action as Handler, "POST", "/authorizations", {}, { auth: false });
    expect(noSecret.status).toBe(401);

    const auth = await call(authorizations.action as Handler, "POST", "/authorizations", { reference: "pay_1", token: tok.json.id, amount: "5000", currency: "USD", capture: false });
    expect(auth.status).toBe(201);
    expect(auth.json).toMatchObject({ outcome: "approved", captured: false });
    const again = await call(authorizations.action as Handler, "POST", "/authorizations", { reference: "pay_1", token: tok.json.id, amount: "5000", currency: "USD", capture: false });
    expect(again.json.providerReference).toBe(auth.json.providerReference);

    const inq = await call(authorizations.loader as Handler, "GET", "/authorizations?reference=pay_1");
    expect(inq.json.status).toBe("approved");
    const cap = await call(capture.action as Handler, "POST", "/authorizations/x/capture", { amount: 5000 }, { params: { authorizationId: auth.json.providerReference } });
    expect(cap.status).toBe(200);
    const v = await call(voids.action as Handler, "POST", "/authorizations/x/void", {}, { params: { authorizationId: auth.json.providerReference } });
    expect(v.status).toBe(409);

    const rf = await call(refunds.action as Handler, "POST", "/refunds", { reference: "re_1", authorization: auth.json.providerReference, amount: 6000 });
    expect(rf.status).toBe(402);
    expect(rf.json.code).toBe("exceeds_captured");
    const rf2 = await call(refunds.action as Handler, "POST", "/refunds", { reference: "re_2", authorization: auth.json.providerReference, amount: 2000 });
    expect(rf2.status).toBe(201);
    const rinq = await call(refunds.loader as Handler, "GET", "/refunds?reference=re_2");
    expect(rinq.json.status).toBe("succeeded");

    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const report = await call(settlement.loader as Handler, "GET", `/settlement-report?from=${from}&to=${to}`);
    expect(report.json.data.map((l: { kind: string; amount: string }) => `${l.kind} ${l.amount}`).sort()).toEqual(["capture 5000", "refund -2000"]);
  });

  it("a timeout card gets no answer (504 after the silence) and inquiry finds the outcome later", async () => {
    const year = CARD_EXP_YEAR;
    const tok = await call(tokens.action as Handler, "POST", "/tokens", { number: CARD.timeoutApproved, exp_month: 5, exp_year: year, cvc: "321" }, { auth: false });
    const auth = await call(authorizations.action as Handler, "POST", "/authorizations", { reference: "pay_t", token: tok.json.id, amount: 100, currency: "IRR" });
    expect(auth.status).toBe(504);
    const inq = await call(authorizations.loader as Handler, "GET", "/authorizations?reference=pay_t");
    expect(inq.json.status).toBe("captured");
    const lost = await call(authorizations.loader as Handler, "GET", "/authorizations?reference=never_sent");
    expect(lost.json.status).toBe("not_found");
  });
});
