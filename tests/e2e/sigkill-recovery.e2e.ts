/**
 * A server killed (SIGKILL) in the middle of payment requests leaves nothing half-done:
 * after a restart, every Idempotency-Key of the killed requests is answered (rebuilt
 * from the payment it created, or run again when it created none), no key stays
 * "in progress", and no key has two payments. Runs on a database of its own on the
 * PostgreSQL server of TEST_DATABASE_URL (skipped without one).
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "./server";
import { CARD_EXP_YEAR } from "../support/cards";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) console.warn("sigkill-recovery.e2e: skipped: set TEST_DATABASE_URL to a PostgreSQL server");

const KEY = "sk_test_coffee_web_0001";
const CARD = { number: "4242424242424242", exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" };

describe.skipIf(!adminUrl)("SIGKILL in the middle of requests", () => {
  const name = `mc_sigkill_${process.pid}_${Date.now()}`;
  let server: RunningServer | undefined;
  const admin = adminUrl ? postgres(adminUrl, { max: 1, onnotice: () => {} }) : null;
  const dbUrl = () => {
    const u = new URL(adminUrl!);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const env = () => ({ DATABASE_URL: dbUrl(), WEB_CONCURRENCY: "1", SCHEDULER: "0" });

  afterAll(async () => {
    await server?.stop();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  it("recovers every key of the killed requests, with no second payment", async () => {
    await admin!.unsafe(`create database ${name}`);
    server = await startServer({ seedPayments: 800, env: env() });
    const keys = Array.from({ length: 12 }, (_, i) => `kill-${i}`);
    const send = (base: string, key: string, i: number) =>
      fetch(`${base}/api/v1/payments`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ amount: 20_000 + i, currency: "IRR", card: CARD }),
        signal: AbortSignal.timeout(20_000),
      }).then(
        async (r) => ({ status: r.status, body: await r.json().catch(() => null) }),
        () => ({ status: 0, body: null }),
      );
    const sql = postgres(dbUrl(), { max: 1, onnotice: () => {} });
    const inFlight = keys.map((k, i) => send(server!.url, k, i));
    // Killed the moment a request holds its key in progress (mid-request, by construction).
    for (let i = 0; i < 2000; i++) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from idempotency_keys where key like 'kill-%' and state = 'in_progress'`;
      if ((row?.n ?? 0) > 0) break;
    }
    process.kill(-server.process.pid!, "SIGKILL");
    const first = await Promise.all(inFlight);
    try {
      const left = await sql`select count(*)::int as n from idempotency_keys where key like 'kill-%' and state = 'in_progress'`;
      expect(left[0]!.n, "the kill left keys in progress").toBeGreaterThan(0);
      console.log(`sigkill: ${first.filter((r) => r.status === 0).length} of ${keys.length} requests cut off, ${left[0]!.n} keys left in progress`);
      await server.stop();
      server = await startServer({ seedPayments: 800, env: env() });
      const again = await Promise.all(keys.map((k, i) => send(server!.url, k, i)));
      for (const [i, r] of again.entries()) {
        expect([201, 202, 402], `${keys[i]}: ${JSON.stringify(r.body)}`).toContain(r.status);
        if (first[i]!.status === 201) expect(r.body.id).toBe(first[i]!.body.id);
      }
      const dup = await sql`select idempotency_key, count(*)::int as n from payments where idempotency_key like 'term_coffee_web:kill-%' group by 1 having count(*) > 1`;
      expect(dup).toEqual([]);
      const stuck = await sql`select key from idempotency_keys where key like 'kill-%' and state = 'in_progress'`;
      expect(stuck).toEqual([]);
    } finally {
      await sql.end();
    }
  }, 240_000);
});
