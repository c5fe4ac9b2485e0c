/**
 * A subscription's life in Chromium, on a server of its own with the job workers on, over a
 * database of its own on the PostgreSQL server of TEST_DATABASE_URL (skipped without one:
 * the clock is moved by `npm run jobs -- --simulate`, a second process on the same database).
 *
 * A cardholder subscribes to Demo Coffee's one-day-trial plan on the hosted page, saving a
 * card whose renewals are declined; the owner sees the subscription; at the trial's end the
 * renewal fails and the customer gets a text message (sent by the send_sms job) with the
 * update-card link, which the owner reads on the Mailbox page's Text messages tab; the
 * customer opens it and pays with a good card: the open invoice is paid exactly once, and
 * the subscription's timeline shows the declined attempt and the paid one.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";
import { startServer, type RunningServer } from "./server";
import { CARD_EXPIRY } from "../support/cards";

const adminUrl = process.env.TEST_DATABASE_URL;
if (!adminUrl) console.warn("subscriptions.e2e: skipped: set TEST_DATABASE_URL to a PostgreSQL server");

const ROOT = path.resolve(import.meta.dirname, "../..");
const COFFEE = "mer_demo_coffee";
const KEY = "sk_test_coffee_web_0001";
const RENEWALS_DECLINE = "4000000000003410"; // approved with the cardholder present; every renewal: insufficient funds
const GOOD = "4242424242424242";
const expiry = CARD_EXPIRY;

const name = `mc_subs_e2e_${process.pid}_${Date.now()}`;
// The server and the jobs process read the same sandbox card vault.
const VAULT_KEY = "5e".repeat(32);
const dbUrl = () => {
  const u = new URL(adminUrl!);
  u.pathname = `/${name}`;
  return u.toString();
};
let server: RunningServer | undefined;
const admin = adminUrl ? postgres(adminUrl, { max: 1, onnotice: () => {} }) : null;

beforeAll(async () => {
  if (!admin) return;
  await admin.unsafe(`create database ${name}`);
  server = await startServer({ seedPayments: 300, env: { DATABASE_URL: dbUrl(), WEB_CONCURRENCY: "1", SCHEDULER: "1", SANDBOX_VAULT_KEY: VAULT_KEY } });
});
afterAll(async () => {
  await server?.stop();
  await admin?.unsafe(`drop database if exists ${name} with (force)`);
  await admin?.end();
});
const b = useBrowser({ baseURL: () => server!.url });

/** `npm run jobs -- --simulate --now <at> --merchant <id>`: the server's own tool, on the same database. */
function simulateJobs(at: Date): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const child = spawn("npx", ["tsx", path.join(ROOT, "app/server/jobs.ts"), "--simulate", "--now", at.toISOString(), "--merchant", COFFEE], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", DATABASE_URL: dbUrl(), SANDBOX_VAULT_KEY: VAULT_KEY, TSX_TSCONFIG_PATH: path.join(ROOT, "tsconfig.json") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`jobs --simulate exited ${code}:\n${out}`))));
  });
}

describe.skipIf(!adminUrl)("subscriptions in the browser", () => {
  it("subscribe with a saved card, a failed renewal, the update-card link from the text message pays the open invoice once", async () => {
    const sql = postgres(dbUrl(), { max: 1, onnotice: () => {} });
    try {
      // The shop's plan: monthly, a day's trial (made through the API, as a shop's site would).
      const res = await fetch(`${server!.url}/api/v1/plans`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", "idempotency-key": `e2e-plan-${name}` },
        body: JSON.stringify({ name: "Trial box", amount: "990000", currency: "IRR", interval: "month", trial_days: 1 }),
      });
      const plan = (await res.json()) as { id: string };
      expect(res.status, JSON.stringify(plan)).toBe(201);

      // The cardholder, on a phone: details, the save-card consent, the card.
      const customer = await b.open({ width: 390, height: 844 });
      await customer.page.goto(`/subscribe/${COFFEE}/${plan.id}?lang=en`);
      await waitForHydration(customer.page);
      await customer.page.locator("#sub-name").fill("Sara Journey");
      await customer.page.locator("#sub-email").fill("sara.journey@example.test");
      await customer.page.locator("#sub-phone").fill("09121110000");
      await customer.page.locator("input[name=consent]").check();
      await Promise.all([customer.page.waitForURL(/\/subscribe\/[^/]+\/[^/]+\/[^/?]+/), customer.page.locator(".pay-submit").click()]);
      await waitForHydration(customer.page);
      await customer.page.locator("#card-number").fill(RENEWALS_DECLINE);
      await customer.page.locator("#card-exp").fill(expiry);
      await customer.page.locator("#card-cvc").fill("123");
      await customer.page.locator(".pay-submit").click();
      await customer.page.getByTestId("subscribed").waitFor();

      const [sub] = await sql<{ id: string; status: string; trial_end_at: Date }[]>`
        select s.id, s.status::text as status, s.trial_end_at from subscriptions s join customers c on c.merchant_id = s.merchant_id and c.id = s.customer_id
        where s.merchant_id = ${COFFEE} and c.email = 'sara.journey@example.test'`;
      expect(sub?.status).toBe("trialing");
      const [saved] = await sql<{ n: number }[]>`select count(*)::int as n from payment_methods where merchant_id = ${COFFEE} and id = (select payment_method_id from subscriptions where merchant_id = ${COFFEE} and id = ${sub!.id}) and mandate_text <> ''`;
      expect(saved!.n).toBe(1);

      // The owner sees it in the console.
      const owner = await b.open({ width: 1400, height: 900 });
      owner.allow(/Failed to fetch manifest patches/);
      await signIn(owner.page, "owner@coffee.test");
      await owner.page.goto("/subscriptions?status=trialing");
      await waitForHydration(owner.page);
      await Promise.all([owner.page.waitForURL(`**/subscriptions/${sub!.id}`), owner.page.locator(`a[href="/subscriptions/${sub!.id}"]`).first().click()]);
      await owner.page.getByRole("heading", { name: "Invoices and attempts" }).waitFor();

      // The trial ends: the jobs, run as of just after it, charge the saved card; it is declined.
      // (The provider may answer a merchant-initiated charge late: the workers settle it then, and
      // only a settled failure schedules the retry and tells the customer.)
      const simulated = await simulateJobs(new Date(new Date(sub!.trial_end_at).getTime() + 5 * 60_000));
      const settled = async () =>
        (await sql<{ id: string; status: string; attempt_count: number; retry: boolean }[]>`
          select id, status::text as status, attempt_count, next_attempt_at is not null as retry from invoices where merchant_id = ${COFFEE} and subscription_id = ${sub!.id}`)[0];
      let inv = await settled();
      for (const until = Date.now() + 150_000; !inv?.retry && Date.now() < until; inv = await settled()) await new Promise((r) => setTimeout(r, 2000));
      expect(inv, simulated).toMatchObject({ status: "open", attempt_count: 1, retry: true });
      const texts = await sql<{ to: string; kind: string }[]>`select "to", kind from outbound_sms where merchant_id = ${COFFEE} and "to" = '09121110000'`;
      expect(texts).toEqual([{ to: "09121110000", kind: "dunning" }]);

      // The text message, on the Mailbox page's Text messages tab, handed to the SMS provider by the job.
      const text = owner.page.locator(".mailbox-item").filter({ hasText: "09121110000" });
      const deadline = Date.now() + 30_000;
      for (;;) {
        await owner.page.goto("/mailbox?tab=sms");
        await waitForHydration(owner.page);
        if ((await text.filter({ hasText: "Given to the SMS provider" }).count()) > 0 || Date.now() > deadline) break;
        await owner.page.waitForTimeout(500);
      }
      expect(await text.count(), await owner.page.locator("main").innerText()).toBe(1);
      expect(await text.locator(".badge").innerText()).toBe("Given to the SMS provider");
      const body = await text.locator(".mailbox-body").innerText();
      expect(body).toMatch(/^Demo Coffee Roasters: your payment of IRR\s990,000 for Trial box did not go through\. Pay with another card:\nhttps?:\/\/\S+\/card\/mer_demo_coffee\/sub_\S+$/);
      const link = /https?:\/\/\S+(\/card\/\S+)/.exec(body)?.[1];
      expect(link, body).toBeDefined();

      // The customer opens it and pays with a good card, once (the button is pressed twice).
      await customer.page.goto(`${link}?lang=en`);
      await waitForHydration(customer.page);
      await customer.page.locator("#card-number").fill(GOOD);
      await customer.page.locator("#card-exp").fill(expiry);
      await customer.page.locator("#card-cvc").fill("123");
      await customer.page.locator("input[name=md_consent]").check();
      await customer.page.locator(".pay-submit").dblclick();
      await customer.page.getByTestId("card-updated").waitFor();

      const payments = await sql<{ status: string; n: number }[]>`select status::text as status, count(*)::int as n from payments where merchant_id = ${COFFEE} and invoice_id = ${inv!.id} group by 1 order by 1`;
      expect(payments).toEqual([
        { status: "captured", n: 1 },
        { status: "declined", n: 1 },
      ]);
      const [paid] = await sql<{ status: string; sub_status: string }[]>`select i.status::text as status, s.status::text as sub_status from invoices i join subscriptions s on s.merchant_id = i.merchant_id and s.id = i.subscription_id where i.merchant_id = ${COFFEE} and i.id = ${inv!.id}`;
      expect(paid).toEqual({ status: "paid", sub_status: "active" });

      // The owner's timeline: the invoice paid, its declined attempt and the captured one.
      await owner.page.goto(`/subscriptions/${sub!.id}`);
      await waitForHydration(owner.page);
      const timeline = owner.page.locator(".sub-timeline > li").first();
      const shown = await timeline.innerText();
      expect(shown).toContain("Paid");
      expect(shown).toContain("declined — The card has insufficient funds. Ask the customer for another card.");
      expect(shown).toMatch(/: Succeeded/);
      expect(shown).not.toContain("Next try");
    } finally {
      await sql.end();
    }
  }, 420_000);
});
