/**
 * subscriptions.csv and invoices.csv (and their workbooks): read back and compared with the
 * database, with the options every export takes (range, zone, columns, Jalali), the
 * permission, and the same audit entry as every download.
 */
import ExcelJS from "exceljs";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import { loader as reportLoader } from "~/routes/reports.$report";
import * as subsRoute from "~/routes/_app.subscriptions._index";
import * as subRoute from "~/routes/_app.subscriptions.$subscriptionId";
import * as customerRoute from "~/routes/_app.customers.$customerId";
import { simulateUntil } from "~/server/scheduler";
import { createPlan, createSubscription } from "~/modules/subscriptions/subscriptions.server";
import { useTestDatabase } from "../../support/db";
import { createUser } from "../../support/fixtures";
import { as, signIn, type SignedIn } from "../../support/auth";
import { download, readCsv } from "../exports/helpers";
import { CARD, fastSandbox, makeMerchant, type TestMerchant } from "../payments/fixtures";
import { customerWithCard } from "./helpers";

useTestDatabase({ seed: "none" });
fastSandbox();

const RENEWALS_FAIL = "6037990000004412";
const START = new Date("2025-03-21T06:30:00Z"); // 1 Farvardin 1404, 10:00 Tehran
let m: TestMerchant;
const users = {} as Record<"owner" | "accountant" | "support" | "viewer", SignedIn>;

beforeAll(async () => {
  m = await makeMerchant({ currency: "IRR" });
  for (const role of ["owner", "accountant", "support", "viewer"] as const) {
    const u = await createUser({ email: `${role}@subs-export.test`, memberships: [{ merchantId: m.merchantId, role }] });
    users[role] = await signIn(u.email);
  }
  const box = await createPlan(m.scope, { name: "Coffee box, \"dark\"", amount: "1500000", interval: "month" }, { now: START });
  const year = await createPlan(m.scope, { name: "عضویت سالانه", amount: "120000000", interval: "year" }, { now: START });
  if (!box.ok || !year.ok) throw new Error("plans");
  const plans = [box.plan, box.plan, year.plan, box.plan];
  const cards = [CARD.approveIr, CARD.approveIr, CARD.approveIr, RENEWALS_FAIL];
  for (let i = 0; i < plans.length; i++) {
    const at = new Date(START.getTime() + i * 31 * 86_400_000);
    const { customer, paymentMethod } = await customerWithCard(m, cards[i]!, at, `Customer ${i}`);
    const s = await createSubscription(m.scope, { customerId: customer.id, planId: plans[i]!.id, paymentMethodId: paymentMethod.id, quantity: i + 1, startAt: at }, { now: at });
    if (!s.ok) throw new Error(s.error.message);
  }
  await simulateUntil({ from: START, until: new Date("2025-09-23T00:00:00Z"), merchantIds: [m.merchantId] });
}, 120_000);

describe("subscriptions.csv and invoices.csv", () => {
  it("subscriptions.csv: one record per subscription with the database's values, in the chosen zone, with Jalali twins", async () => {
    const d = await download(users.accountant, "/reports/subscriptions.csv?range=all&tz=Asia/Tehran&jalali=1&excel=0&columns=id,start,status,plan_name,quantity,amount,mrr");
    expect(d.status).toBe(200);
    expect(d.headers.get("content-disposition")).toMatch(/^attachment; filename="subscriptions_.*all-time.*\.csv"/);
    const { header, records } = readCsv(d.body);
    expect(header).toEqual(["id", "start (Asia/Tehran)", "start_jalali (Asia/Tehran)", "status", "plan_name", "quantity", "amount", "mrr"]);
    const db_ = await rows<{ id: string; status: string; quantity: number; amount: string; start: string; interval: string }>(
      db(),
      sql`select s.id, s.status::text as status, s.quantity, (p.amount * s.quantity)::text as amount,
            to_char(s.start_at at time zone 'Asia/Tehran', 'YYYY-MM-DD HH24:MI:SS') as start, s.interval
          from subscriptions s join plans p on p.merchant_id = s.merchant_id and p.id = s.plan_id
          where s.merchant_id = ${m.merchantId} order by s.created_at desc, s.id desc`,
    );
    expect(records.map((r) => r.id)).toEqual(db_.map((r) => r.id));
    for (const [i, r] of records.entries()) {
      const want = db_[i]!;
      expect(r["start (Asia/Tehran)"]).toBe(want.start);
      expect(r.status).toBe(want.status);
      expect(Number(r.quantity)).toBe(want.quantity);
      expect(r.amount).toBe(want.amount);
      const mrr = want.status === "active" || want.status === "past_due" ? (want.interval === "year" ? BigInt(want.amount) / 12n : BigInt(want.amount)) : 0n;
      expect(r.mrr).toBe(mrr.toString());
    }
    // The first subscription started on 1 Farvardin 1404 at 10:00 Tehran.
    expect(records.at(-1)!["start_jalali (Asia/Tehran)"]).toBe("1404/01/01 10:00:00");
    expect(records.at(-1)!.plan_name).toBe('Coffee box, "dark"');
    // The failing card's subscription was canceled by dunning: it counts no MRR.
    expect(records.filter((r) => r.status === "canceled").map((r) => r.mrr)).toEqual(["0"]);

    // The list's export link carries its status filter.
    const page = (await (await (subsRoute.loader({ request: as(users.accountant, "/subscriptions?status=active"), params: {}, context: {} } as never) as Promise<Response>)).json()) as { exports: { subscriptions: string; invoices: string } };
    const active = readCsv((await download(users.accountant, `${page.exports.subscriptions}&columns=id,status`)).body).records;
    expect(active.length).toBe(3);
    expect(active.every((r) => r.status === "active")).toBe(true);
  });

  it("invoices.csv: every invoice once, its period in New York time when asked, amounts and the paying payment; the range is by period start", async () => {
    const d = await download(users.owner, "/reports/invoices.csv?range=all&tz=America/New_York&excel=0&columns=id,period_start,status,amount,amount_paid,attempts,recovered,payment_id");
    expect(d.status).toBe(200);
    const { header, records } = readCsv(d.body);
    expect(header).toEqual(["id", "period_start (America/New_York)", "status", "amount", "amount_paid", "attempts", "recovered", "payment_id"]);
    const want = await rows<{ id: string; ps: string; status: string; amount: string; attempts: number; payment_id: string | null }>(
      db(),
      sql`select id, to_char(period_start at time zone 'America/New_York', 'YYYY-MM-DD HH24:MI:SS') as ps, status::text as status,
            amount::text as amount, attempt_count as attempts, payment_id
          from invoices where merchant_id = ${m.merchantId} order by period_start desc, id desc`,
    );
    expect(want.length).toBeGreaterThan(10);
    expect(records).toEqual(
      want.map((w) => ({
        id: w.id,
        "period_start (America/New_York)": w.ps,
        status: w.status,
        amount: w.amount,
        amount_paid: w.status === "paid" ? w.amount : "0",
        attempts: String(w.attempts),
        recovered: "false",
        payment_id: w.payment_id ?? "",
      })),
    );
    expect(records.filter((r) => r.status === "uncollectible").map((r) => r.attempts)).toEqual(["5"]);

    // Khordad 1404 (22 May to 21 June 2025), both days included, by period start in Tehran.
    const month = readCsv((await download(users.owner, "/reports/invoices.csv?from=2025-05-22&to=2025-06-21&tz=Asia/Tehran&columns=id,period_start&excel=0")).body).records;
    const [n] = await rows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from invoices where merchant_id = ${m.merchantId}
            and period_start >= '2025-05-22 00:00'::timestamp at time zone 'Asia/Tehran' and period_start < '2025-06-22 00:00'::timestamp at time zone 'Asia/Tehran'`,
    );
    expect(month.length).toBe(n!.n);
    expect(month.length).toBeGreaterThan(0);
  });

  it("the subscription and customer pages link to their own invoices.csv and workbook; the filters keep the other options", async () => {
    const [one] = await rows<{ subscription_id: string; customer_id: string }>(db(), sql`select subscription_id, customer_id from invoices where merchant_id = ${m.merchantId} order by period_start limit 1`);
    const page = async (route: { loader: unknown }, path: string, params: Record<string, string>, user = users.accountant) =>
      (await (route.loader as (a: unknown) => Promise<Response>)({ request: as(user, path), params, context: {} })).json();
    const sub = await page(subRoute, `/subscriptions/${one!.subscription_id}`, { subscriptionId: one!.subscription_id });
    expect(sub.invoicesExport).toBe(`/reports/invoices.csv?range=all&subscription=${one!.subscription_id}`);
    const cus = await page(customerRoute, `/customers/${one!.customer_id}`, { customerId: one!.customer_id });
    expect(cus.invoicesExport).toBe(`/reports/invoices.csv?range=all&customer=${one!.customer_id}`);
    // Support may not export: no links.
    expect((await page(subRoute, `/subscriptions/${one!.subscription_id}`, { subscriptionId: one!.subscription_id }, users.support)).invoicesExport).toBeNull();
    for (const [filter, column] of [
      ["subscription", "subscription_id"],
      ["customer", "customer_id"],
    ] as const) {
      const value = filter === "subscription" ? one!.subscription_id : one!.customer_id;
      const got = readCsv((await download(users.accountant, `/reports/invoices.csv?range=all&${filter}=${value}&excel=0&columns=id,${column}&tz=America/New_York`)).body).records;
      const [n] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from invoices where merchant_id = ${m.merchantId} and ${sql.raw(column)} = ${value}`);
      expect(got.length).toBe(n!.n);
      expect(got.length).toBeGreaterThan(0);
      expect(new Set(got.map((r) => r[column]))).toEqual(new Set([value]));
    }
  });

  it("the workbooks hold the same rows with a totals row; a bad filter is a 400 naming it; support and viewers cannot export; every download is audited", async () => {
    const res = (await reportLoader({ request: as(users.accountant, "/reports/invoices.xlsx?range=all&columns=id,amount&excel=0"), params: { report: "invoices.xlsx" }, context: {} })) as Response;
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    const [sum] = await rows<{ n: number; total: string }>(db(), sql`select count(*)::int as n, sum(amount)::text as total from invoices where merchant_id = ${m.merchantId}`);
    const values: unknown[] = [];
    ws.eachRow((row) => values.push(row.getCell(2).value));
    expect(values[0]).toBe("amount");
    expect(values.length).toBe(sum!.n + 2); // header, rows, totals
    expect(String(values.at(-1) && typeof values.at(-1) === "object" ? (values.at(-1) as { result: unknown }).result : values.at(-1))).toBe(sum!.total);

    const bad = await download(users.accountant, "/reports/subscriptions.csv?status=sleeping");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("status");
    expect((await download(users.support, "/reports/invoices.csv")).status).toBe(403);
    expect((await download(users.viewer, "/reports/subscriptions.csv")).status).toBe(403);

    const before = await rows<{ n: number }>(db(), sql`select count(*)::int as n from audit_events where action = 'export.download' and merchant_id = ${m.merchantId}`);
    const d = await download(users.accountant, "/reports/subscriptions.csv?range=all&status=active&columns=id");
    const [e] = await rows<{ details: Record<string, unknown> | string; outcome: string; actor_email: string; target_id: string }>(
      db(),
      sql`select details, outcome::text as outcome, actor_email, target_id from audit_events
          where action = 'export.download' and merchant_id = ${m.merchantId} order by id desc limit 1`,
    );
    const details = typeof e!.details === "string" ? JSON.parse(e!.details) : e!.details;
    expect({ outcome: e!.outcome, actor: e!.actor_email, target: e!.target_id }).toEqual({ outcome: "success", actor: "accountant@subs-export.test", target: "subscriptions" });
    expect(details).toMatchObject({ report: "subscriptions", rows: readCsv(d.body).records.length, completed: true, columns: ["id"] });
    expect(details.filters).toMatchObject({ status: "active" });
    const after = await rows<{ n: number }>(db(), sql`select count(*)::int as n from audit_events where action = 'export.download' and merchant_id = ${m.merchantId}`);
    expect(after[0]!.n).toBe(before[0]!.n + 1);
  });
});
