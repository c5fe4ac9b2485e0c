/**
 * The Webhooks console pages, called as the browser does (session, CSRF, form): what an
 * owner sees and what is written. Delivery itself is covered by webhooks.test.ts and the
 * browser journey (tests/e2e/webhooks.e2e.ts).
 */
import { and, eq, sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/db";
import { teamWithPersianAdmin, type Team } from "../../support/fixtures";
import { as, signIn, type SignedIn } from "../../support/auth";
import { settle } from "../../support/responses";
import { db, rows } from "../../../db/client.server";
import * as s from "../../../db/schema";
import { EVENT_TYPES, recordEvent } from "~/modules/events/events.server";
import { en } from "~/lib/i18n/en";
import { fa } from "~/lib/i18n/fa";
import { action as listAction, loader as listLoader } from "~/routes/_app.webhooks._index";
import { action as endpointAction, loader as endpointLoader } from "~/routes/_app.webhooks.$endpointId";
import { action as terminalAction, loader as terminalLoader } from "~/routes/_app.terminals.$terminalId";
import { createTerminal } from "~/modules/terminals/terminals.server";

useTestDatabase({ seed: "none" });

let team: Team;
let owner: SignedIn;
let admin: SignedIn;
const env = { ...process.env };

beforeAll(async () => {
  ({ team, owner, persianAdmin: admin } = await teamWithPersianAdmin("wh"));
});
afterEach(() => {
  process.env = { ...env };
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function post(user: SignedIn, path: string, form: Record<string, string | string[]>, params: Record<string, string> = {}): Promise<{ status: number; json: any; text: string; location: string | null }> {
  const fn = path === "/webhooks" ? listAction : endpointAction;
  const res = await settle(fn({ request: as(user, path, { form }), params, context: {} }));
  const text = res.status >= 300 && res.status < 400 ? "" : await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  return { status: res.status, json: text && isJson ? JSON.parse(text) : null, text, location: res.headers.get("location") };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function load(user: SignedIn, path: string, params: Record<string, string> = {}): Promise<any> {
  const fn = path.startsWith("/webhooks/") ? endpointLoader : listLoader;
  const res = await settle(fn({ request: as(user, path), params, context: {} }));
  expect(res.status).toBe(200);
  return res.json();
}

const audits = (action: string) =>
  db()
    .select()
    .from(s.auditEvents)
    .where(and(eq(s.auditEvents.merchantId, team.shop.id), eq(s.auditEvents.action, action)));

describe("the Webhooks console page", () => {
  it("names every group of event types in both languages (the add form's checkbox groups)", () => {
    const groups = [...new Set(EVENT_TYPES.map((x) => x.split(".")[0]!))];
    expect(groups.filter((g) => !(`webhooks.group.${g}` in en) || !(`webhooks.group.${g}` in fa))).toEqual([]);
  });

  it("refuses a private address in production mode under the URL field, in the reader's language, and saves nothing", async () => {
    delete process.env.WEBHOOKS_ALLOW_PRIVATE;
    for (const url of ["https://127.0.0.1/hooks", "https://169.254.169.254/latest/meta-data", "https://[::1]/x"]) {
      const r = await post(owner, "/webhooks", { url, events: "*" });
      expect(r.status, url).toBe(400);
      expect(Object.keys(r.json.errors)).toEqual(["url"]);
      expect(r.json.errors.url).toMatch(/^The endpoint URL's host .+ is a private, loopback, link-local or reserved address: webhooks go to public addresses only/);
      expect(r.json.values.url).toBe(url);
    }
    const fa = await post(admin, "/webhooks", { url: "https://10.0.0.7/hooks", events: "*" });
    expect(fa.status).toBe(400);
    expect(fa.json.errors.url.replace(/[\u2068\u2069]/g, "")).toContain("میزبان نشانی نقطه (10.0.0.7)");
    const plain = await post(owner, "/webhooks", { url: "http://shop.example.com/hooks", events: "*" });
    expect(plain.json.errors).toEqual({ url: "Webhook URLs must start with https://." });
    const none = await post(owner, "/webhooks", { url: "https://93.184.215.14/hooks" });
    expect(none.json.errors).toEqual({ events: "Choose at least one event type." });
    // Too long to read at all: the same field's sentence, in the reader's language, what was typed kept.
    const long = await post(admin, "/webhooks", { url: "https://93.184.215.14/hooks", description: "x".repeat(301), events: ["payment.*", "refund.*"] });
    expect(long.status).toBe(400);
    expect(long.json).toEqual({
      ok: false,
      errors: { description: "توضیح بیش از اندازه بلند است (حداکثر دویست نویسه)." },
      values: { url: "https://93.184.215.14/hooks", description: "x".repeat(301), events: "payment.* refund.*" },
    });
    const [n] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from webhook_endpoints where merchant_id = ${team.shop.id}`);
    expect(n!.n).toBe(0);
  });

  it("shows the secret once on creation, audits every action, rotates with an overlap, replays since a time, resends, disables and deletes", async () => {
    process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
    const created = await post(owner, "/webhooks", { url: "http://127.0.0.1:9/hooks", events: "payment.*", description: "Shop backend" });
    expect(created.status).toBe(200);
    const { id, secret } = created.json.created;
    expect(secret).toMatch(/^whsec_/);
    const list = await load(owner, "/webhooks");
    expect(list.endpoints).toMatchObject([{ id, url: "http://127.0.0.1:9/hooks", events: ["payment.*"], state: "enabled", attempts: 0 }]);
    expect(JSON.stringify(list)).not.toContain(secret);
    const [a] = await audits("webhook.create");
    expect(a).toMatchObject({ actorEmail: team.members.owner.email, targetId: id, ip: "203.0.113.10" });

    // Rotation: a new secret, shown once; the old one signs beside it for 24 hours.
    const rotated = await post(owner, `/webhooks/${id}`, { intent: "rotate" }, { endpointId: id });
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(secret);
    const page = await load(owner, `/webhooks/${id}`, { endpointId: id });
    const overlapHours = (Date.parse(page.endpoint.previousSecretExpiresAt) - Date.now()) / 3600_000;
    expect(overlapHours).toBeGreaterThan(23.9);
    expect(overlapHours).toBeLessThanOrEqual(24);
    expect(JSON.stringify(page)).not.toContain(rotated.json.secret);

    // Events from before, then replay since a time in the merchant's zone: only the later ones, of its types.
    const at = (iso: string) => new Date(iso);
    const obj = (n: number) => ({ id: `pay_x${n}`, object: "payment", status: "captured" });
    await db().transaction(async (tx) => {
      await recordEvent(tx, team.shop.id, "payment.succeeded", obj(1), at("2026-01-01T08:00:00Z"));
      await recordEvent(tx, team.shop.id, "payment.succeeded", obj(2), at("2026-01-02T08:00:00Z"));
      await recordEvent(tx, team.shop.id, "refund.created", { id: "re_1", object: "refund" }, at("2026-01-02T09:00:00Z"));
      await recordEvent(tx, team.shop.id, "payment.succeeded", obj(3), at("2026-01-03T08:00:00Z"));
    });
    await db().update(s.webhookEndpoints).set({ cursorSeq: 4 }).where(and(eq(s.webhookEndpoints.merchantId, team.shop.id), eq(s.webhookEndpoints.id, id)));
    const badDay = await post(owner, `/webhooks/${id}`, { intent: "replay", sinceDay: "last week" }, { endpointId: id });
    expect(badDay.status).toBe(400);
    expect(badDay.json.errors).toEqual({ sinceDay: "Give the day to replay from, like 2026-12-01." });
    // An impossible day is refused at the edge, naming the field.
    const impossible = await post(owner, `/webhooks/${id}`, { intent: "replay", sinceDay: "2026-02-30" }, { endpointId: id });
    expect(impossible.status).toBe(400);
    expect(impossible.json).toEqual({
      ok: false,
      intent: "replay",
      errors: { sinceDay: "Give the day to replay from, like 2026-12-01." },
      values: { intent: "replay", sinceDay: "2026-02-30" },
    });
    const badTime = await post(owner, `/webhooks/${id}`, { intent: "replay", sinceDay: "2026-01-02", sinceTime: "25:00" }, { endpointId: id });
    expect(badTime.json.errors).toEqual({ sinceTime: "Give the time as hours and minutes, like 09:30." });
    const badNumber = await post(admin, `/webhooks/${id}`, { intent: "replay", after: "abc" }, { endpointId: id });
    expect(badNumber.status).toBe(400);
    expect(badNumber.json.errors).toEqual({ after: "شمارهٔ رویداد (صفر برای همه) یا یک زمان وارد کنید." });
    const unknown = await post(owner, `/webhooks/${id}`, { intent: "explode" }, { endpointId: id });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ ok: false, intent: "explode", errors: { form: "That action is not known: reload the page and try again." }, values: { intent: "explode" } });
    // An edit refused by the domain keeps everything typed, the ticked types too.
    const edit = await post(owner, `/webhooks/${id}`, { intent: "update", url: "ftp://shop.example.com", description: "Backend", events: ["payment.*", "refund.created"] }, { endpointId: id });
    expect(edit.status).toBe(400);
    expect(edit.json).toEqual({
      ok: false,
      intent: "update",
      errors: { url: "Webhook URLs must start with https://." },
      values: { intent: "update", url: "ftp://shop.example.com", description: "Backend", events: "payment.* refund.created" },
    });
    const future = await post(owner, `/webhooks/${id}`, { intent: "replay", sinceDay: "2099-01-01" }, { endpointId: id });
    expect(future.json.errors).toEqual({ sinceDay: "That time has not come yet: choose a time in the past." });
    const replay = await post(owner, `/webhooks/${id}`, { intent: "replay", sinceDay: "2026-01-02", sinceTime: "00:00" }, { endpointId: id });
    expect(replay.json).toMatchObject({ ok: true, notice: "2 event(s) queued for delivery, in order." });
    const byNumber = await post(owner, `/webhooks/${id}`, { intent: "replay", after: "0" }, { endpointId: id });
    expect(byNumber.json.notice).toBe("3 event(s) queued for delivery, in order.");
    // Jalali day, Persian digits, for the Persian reader: 1404/10/12 is 2026-01-02.
    const jalali = await post(admin, `/webhooks/${id}`, { intent: "replay", sinceDay: "۱۴۰۴/۱۰/۱۲", sinceTime: "۰۰:۰۰" }, { endpointId: id });
    expect(jalali.json.ok).toBe(true);
    const replayAudits = await audits("webhook.replay");
    expect(replayAudits.map((x) => (x.details as { deliveries: number }).deliveries).sort()).toEqual([2, 2, 3]);

    const withLog = await load(owner, `/webhooks/${id}`, { endpointId: id });
    expect(withLog.deliveries.map((d: { eventSeq: number }) => d.eventSeq).slice(0, 2)).toEqual([4, 2]);
    const resend = await post(owner, `/webhooks/${id}`, { intent: "resend", eventId: withLog.deliveries[0].eventId }, { endpointId: id });
    expect(resend.json).toMatchObject({ ok: true, notice: "The event is on its way again." });
    expect(await audits("webhook.resend")).toHaveLength(1);

    const off = await post(owner, `/webhooks/${id}`, { intent: "disable" }, { endpointId: id });
    expect(off.json.notice).toBe("The endpoint is disabled: nothing is sent to it.");
    expect((await load(owner, "/webhooks")).endpoints[0].state).toBe("disabled");
    // Failing for the whole retry window: the backend's own reason shows as disabled automatically.
    await db().update(s.webhookEndpoints).set({ disabledReason: "Every delivery failed for 3 days." }).where(eq(s.webhookEndpoints.id, id));
    expect((await load(owner, "/webhooks")).endpoints[0].state).toBe("auto_disabled");
    await post(owner, `/webhooks/${id}`, { intent: "enable" }, { endpointId: id });
    expect((await load(owner, "/webhooks")).endpoints[0].state).toBe("enabled");

    const unconfirmed = await post(owner, `/webhooks/${id}`, { intent: "delete" }, { endpointId: id });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json).toEqual({ ok: false, intent: "delete", errors: { confirm: "Tick the box to confirm the deletion." } });
    const gone = await post(owner, `/webhooks/${id}`, { intent: "delete", confirm: "yes" }, { endpointId: id });
    expect(gone.location).toBe("/webhooks?done=deleted");
    expect((await load(owner, "/webhooks")).endpoints).toEqual([]);
    const [after404] = await Promise.all([settle(endpointLoader({ request: as(owner, `/webhooks/${id}`), params: { endpointId: id }, context: {} }))]);
    expect(after404.status).toBe(404);
    for (const action of ["webhook.rotate_secret", "webhook.update", "webhook.delete"]) expect((await audits(action)).length, action).toBeGreaterThan(0);
  });

  it("an endpoint of another merchant is a 404, and its actions change nothing", async () => {
    process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
    const outsider = await signIn(team.outsider.email);
    const theirs = await post(outsider, "/webhooks", { url: "http://127.0.0.1:9/theirs", events: "*" });
    const id = theirs.json.created.id;
    const res = await settle(endpointLoader({ request: as(owner, `/webhooks/${id}`), params: { endpointId: id }, context: {} }));
    expect(res.status).toBe(404);
    const del = await post(owner, `/webhooks/${id}`, { intent: "delete", confirm: "yes" }, { endpointId: id });
    expect(del.status).toBe(404);
    const [row] = await db().select().from(s.webhookEndpoints).where(eq(s.webhookEndpoints.id, id));
    expect(row!.deletedAt).toBeNull();
  });
});

describe("refreshing the page right after a form that shows a secret once", () => {
  it("re-sends the add-endpoint form with the same one-time key: no second endpoint, a redirect to the first that says so", async () => {
    process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
    const page = await load(owner, "/webhooks");
    expect(page.submitKey).toMatch(/^[0-9a-f-]{36}$/);
    const form = { url: "http://127.0.0.1:9/refresh", events: "*", formKey: page.submitKey };
    const first = await post(owner, "/webhooks", form);
    expect(first.status).toBe(200);
    expect(first.json.created.secret).toMatch(/^whsec_/);
    // The browser's refresh: the very same POST.
    const again = await post(owner, "/webhooks", form);
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/webhooks/${first.json.created.id}?done=alreadyAdded`);
    const [n] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from webhook_endpoints where merchant_id = ${team.shop.id} and url = 'http://127.0.0.1:9/refresh'`);
    expect(n!.n).toBe(1);
    expect((await audits("webhook.create")).filter((a) => (a.details as { url?: string }).url === "http://127.0.0.1:9/refresh")).toHaveLength(1);
    // The next rendering has a new key: adding another endpoint on purpose still works.
    const next = await load(owner, "/webhooks");
    expect(next.submitKey).not.toBe(page.submitKey);
    // A refused form does not use its key up: corrected, it goes through.
    const refused = await post(owner, "/webhooks", { url: "http://127.0.0.1:9/other", formKey: next.submitKey });
    expect(refused.status).toBe(400);
    const fixed = await post(owner, "/webhooks", { url: "http://127.0.0.1:9/other", events: "*", formKey: next.submitKey });
    expect(fixed.status).toBe(200);
  });

  it("re-sends the endpoint's rotate, replay and test forms: none is done again, the page says so", async () => {
    process.env.WEBHOOKS_ALLOW_PRIVATE = "1";
    const list = await load(owner, "/webhooks");
    const made = await post(owner, "/webhooks", { url: "http://127.0.0.1:9/again", events: "*", formKey: list.submitKey });
    const id: string = made.json.created.id;
    const path = `/webhooks/${id}`;
    await recordEvent(db(), team.shop.id, "terminal.updated", { id: "term_again", object: "terminal" });

    const page = await load(owner, path, { endpointId: id });
    expect(page.submitKey).toMatch(/^[0-9a-f-]{36}$/);
    const rotate = { intent: "rotate", formKey: page.submitKey };
    const first = await post(owner, path, rotate, { endpointId: id });
    expect(first.status).toBe(200);
    expect(first.json.secret).toMatch(/^whsec_/);
    const again = await post(owner, path, rotate, { endpointId: id });
    expect(again.status).toBe(303);
    expect(again.location).toBe(`${path}?done=alreadyDone`);
    expect(await audits("webhook.rotate_secret").then((a) => a.filter((x) => x.targetId === id))).toHaveLength(1);

    const next = await load(owner, path, { endpointId: id });
    expect(next.submitKey).not.toBe(page.submitKey);
    const replay = { intent: "replay", after: "0", formKey: next.submitKey };
    const replayed = await post(owner, path, replay, { endpointId: id });
    expect(replayed.status).toBe(200);
    const count = async () => (await rows<{ n: number }>(db(), sql`select count(*)::int as n from webhook_deliveries where endpoint_id = ${id} and reason = 'replay'`))[0]!.n;
    const afterFirst = await count();
    expect(afterFirst).toBeGreaterThan(0);
    const refreshed = await post(owner, path, replay, { endpointId: id });
    expect(refreshed.status).toBe(303);
    expect(refreshed.location).toBe(`${path}?done=alreadyDone`);
    expect(await count()).toBe(afterFirst);
    expect(en["webhooks.done.alreadyDone"]).toBe("This form was already sent, and what it asked for was done then. It was not done a second time.");
    expect(fa["webhooks.done.alreadyDone"]).toMatch(/دوباره انجام نشد/);
  });

  it("re-sends the rotate-key form: the key is not rotated again (the one just shown keeps working)", async () => {
    const made = await createTerminal({ merchantId: team.shop.id }, { kind: "member", member: { user: { id: team.members.owner.id }, role: "owner", merchant: { supportRefundLimit: 0n } } }, { name: "Refresh till", kind: "api", location: null });
    if (!made.ok) throw new Error(made.message);
    const path = `/terminals/${made.id}`;
    const res = await settle(terminalLoader({ request: as(owner, path), params: { terminalId: made.id }, context: {} }));
    const { rotateKey } = await res.json();
    const send = () => settle(terminalAction({ request: as(owner, path, { form: { intent: "rotate", formKey: rotateKey } }), params: { terminalId: made.id }, context: {} }));
    const first = await send();
    expect(first.status).toBe(200);
    const { key } = await first.json();
    expect(key).toMatch(/^sk_test_/);
    const again = await send();
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`${path}?done=alreadyRotated`);
    const [row] = await db().select().from(s.terminals).where(and(eq(s.terminals.merchantId, team.shop.id), eq(s.terminals.id, made.id)));
    expect(row!.apiKeyLast4).toBe(key.slice(-4));
    const rotations = await db()
      .select()
      .from(s.auditEvents)
      .where(and(eq(s.auditEvents.merchantId, team.shop.id), eq(s.auditEvents.action, "terminal.api_key_rotate"), eq(s.auditEvents.targetId, made.id)));
    expect(rotations).toHaveLength(1);
  });
});
