import { sql } from "drizzle-orm";
import { demoSeededAt, useTestDatabase } from "../../support/db";
import { coffee, northwind } from "../../support/demo";
import { rows } from "../../../db/client.server";
import { addLocalDays, localDateKey } from "../../../app/lib/dates/zones";
import { listPayments, paymentFilterOptions, paymentFilterSql, paymentListQuerySchema } from "../../../app/modules/payments/list.server";
import { listRefunds, refundListQuerySchema } from "../../../app/modules/refunds/list.server";
import { listPayouts, payoutListQuerySchema } from "../../../app/modules/settlements/payout-list.server";
import { getPayout, payoutItems, payoutItemsQuerySchema, payoutSummary } from "../../../app/modules/settlements/payout-detail.server";
import { balanceOverview } from "../../../app/modules/settlements/balances.server";
import { paymentView } from "../../../app/modules/payments/detail.server";
import { ListFilterError, parseListQuery } from "../../../app/modules/reporting/list-query.server";

const t = useTestDatabase({ seed: "demo" });

const pq = (p: Record<string, string | string[]>) => {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) for (const x of Array.isArray(v) ? v : [v]) sp.append(k, x);
  return paymentListQuerySchema.parse(sp);
};

describe("payments list", () => {
  it("walks every matching payment once, forwards and back, in the chosen order", async () => {
    const now = demoSeededAt();
    const filter = pq({ range: "30d", status: ["captured", "declined"], limit: "50" });
    const [oracle] = await rows<{ n: string; amount: string }>(
      t.db,
      sql`select count(*)::text as n, sum(amount)::text as amount from payments
          where merchant_id = ${coffee.merchantId} and status in ('captured', 'declined')
            and (created_at at time zone 'Asia/Tehran')::date >= ${localDateKey(addLocalDays(now, -29, coffee.timeZone), coffee.timeZone)}::date`,
    );
    const first = await listPayments(coffee, filter, now);
    expect(first.totals.count).toBe(Number(oracle!.n));
    expect(first.totals.amount).toBe(BigInt(oracle!.amount));
    expect(first.page.prev).toBeNull();

    const seen: string[] = [];
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res = await listPayments(coffee, { ...filter, cursor: cursor ?? undefined }, now);
      pages.push(res.page.rows.map((r) => r.id));
      seen.push(...res.page.rows.map((r) => r.id));
      for (let j = 1; j < res.page.rows.length; j++) {
        expect(res.page.rows[j - 1]!.createdAt >= res.page.rows[j]!.createdAt).toBe(true);
      }
      if (!res.page.next) break;
      cursor = res.page.next;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(first.totals.count);

    // Back from the second page is the first page.
    const second = await listPayments(coffee, { ...filter, cursor: first.page.next! }, now);
    expect(second.page.rows.map((r) => r.id)).toEqual(pages[1]);
    const back = await listPayments(coffee, { ...filter, cursor: second.page.prev! }, now);
    expect(back.page.rows.map((r) => r.id)).toEqual(pages[0]);
  });

  it("sorts by amount ascending with stable pages", async () => {
    const filter = pq({ sort: "amount", limit: "25" });
    const a = await listPayments(northwind, filter);
    const b = await listPayments(northwind, { ...filter, cursor: a.page.next! });
    const amounts = [...a.page.rows, ...b.page.rows].map((r) => BigInt(r.amount));
    for (let i = 1; i < amounts.length; i++) expect(amounts[i]! >= amounts[i - 1]!).toBe(true);
    const [min] = await rows<{ m: string }>(t.db, sql`select min(amount)::text as m from payments where merchant_id = ${northwind.merchantId}`);
    expect(amounts[0]).toBe(BigInt(min!.m));
  });

  it("finds a payment by its card's last 4 digits, masked or not", async () => {
    const [p] = await rows<{ id: string; card_last4: string }>(
      t.db,
      sql`select id, card_last4 from payments where merchant_id = ${coffee.merchantId} and status = 'captured' order by created_at desc limit 1`,
    );
    for (const q of [p!.card_last4, `•••• ${p!.card_last4}`]) {
      const res = await listPayments(coffee, pq({ q }));
      expect(res.page.rows.map((r) => r.id)).toContain(p!.id);
      expect(res.page.rows.every((r) => r.cardLast4 === p!.card_last4 || (r.description ?? "").includes(p!.card_last4))).toBe(true);
    }
    // By id and by provider reference.
    expect((await listPayments(coffee, pq({ q: p!.id }))).page.rows.map((r) => r.id)).toEqual([p!.id]);
    const ref = `sbx_auth_${p!.id.slice(4)}`;
    expect((await listPayments(coffee, pq({ q: ref }))).page.rows.map((r) => r.id)).toEqual([p!.id]);
  });

  it("filters by amount range in major units of the currency, terminal, brand, bank and funding", async () => {
    const res = await listPayments(northwind, pq({ min: "10.00", max: "25.50", funding: "credit", brand: ["visa", "amex"], limit: "100" }));
    const [oracle] = await rows<{ n: string; s: string }>(
      t.db,
      sql`select count(*)::text as n, coalesce(sum(amount), 0)::text as s from payments where merchant_id = ${northwind.merchantId}
          and amount between 1000 and 2550 and card_funding = 'credit' and card_brand in ('visa', 'amex')`,
    );
    expect(res.totals.count).toBe(Number(oracle!.n));
    expect(res.totals.amount).toBe(BigInt(oracle!.s));
    for (const r of res.page.rows) {
      expect(BigInt(r.amount) >= 1000n && BigInt(r.amount) <= 2550n).toBe(true);
      expect(["visa", "amex"]).toContain(r.cardBrand);
    }
    const bank = await listPayments(coffee, pq({ bank: "017", terminal: "term_coffee_web" }));
    expect(bank.totals.count).toBeGreaterThan(0);
    expect(bank.page.rows.every((r) => r.issuerBank === "017" && r.terminalId === "term_coffee_web")).toBe(true);
  });

  it("never returns another merchant's payment, even by its id", async () => {
    const [other] = await rows<{ id: string }>(t.db, sql`select id from payments where merchant_id = ${northwind.merchantId} limit 1`);
    const res = await listPayments(coffee, pq({ q: other!.id }));
    expect(res.totals.count).toBe(0);
    const where = paymentFilterSql(coffee, pq({}));
    const [n] = await rows<{ n: string }>(t.db, sql`select count(*)::text as n from payments where ${where} and merchant_id <> ${coffee.merchantId}`);
    expect(n!.n).toBe("0");
  });

  it("keeps the valid part of a bad URL and says what is wrong with the rest", async () => {
    const { query, errors } = parseListQuery(
      paymentListQuerySchema,
      new URLSearchParams("status=captured&status=bogus&from=2025-02-30&sort=amount&limit=7"),
    );
    expect(errors.status).toMatch(/Unknown payment status/);
    expect(errors.from).toMatch(/YYYY-MM-DD/);
    expect(errors.limit).toMatch(/25, 50 or 100/);
    expect(query.sort).toBe("amount");
    expect(query.limit).toBe(25);
    await expect(listPayments(coffee, pq({ min: "12,50" }))).rejects.toThrow(/decimals/);
    await expect(listPayments(coffee, pq({ min: "100", max: "5" }))).rejects.toBeInstanceOf(ListFilterError);
    await expect(listPayments(coffee, pq({ from: "2025-03-10", to: "2025-03-01" }))).rejects.toThrow(/end date is before/);
    await expect(listPayments(coffee, pq({ cursor: "garbage" }))).rejects.toThrow(/first page/);
  });
});

describe("refunds list", () => {
  it("counts and sums the filter like the refunds table, and links each refund to its payment", async () => {
    const res = await listRefunds(coffee, refundListQuerySchema.parse(new URLSearchParams("status=succeeded&limit=100")));
    const [oracle] = await rows<{ n: string; s: string }>(
      t.db,
      sql`select count(*)::text as n, coalesce(sum(amount), 0)::text as s from refunds where merchant_id = ${coffee.merchantId} and status = 'succeeded'`,
    );
    expect(res.totals.count).toBe(Number(oracle!.n));
    expect(res.totals.amount).toBe(BigInt(oracle!.s));
    expect(res.page.rows.length).toBeGreaterThan(0);
    for (const r of res.page.rows) {
      expect(r.paymentId).toMatch(/^pay_/);
      expect(r.cardLast4).toMatch(/^\d{4}$/);
    }
    const reason = await listRefunds(coffee, refundListQuerySchema.parse(new URLSearchParams("reason=duplicate&min=1000000")));
    expect(reason.page.rows.every((r) => r.reason === "duplicate" && BigInt(r.amount) >= 1_000_000n)).toBe(true);
  });
});

describe("payouts", () => {
  it("lists payouts with totals and filters by status", async () => {
    const res = await listPayouts(coffee, payoutListQuerySchema.parse(new URLSearchParams("status=paid&status=failed&limit=100")));
    const [oracle] = await rows<{ n: string; s: string }>(
      t.db,
      sql`select count(*)::text as n, coalesce(sum(amount), 0)::text as s from payouts where merchant_id = ${coffee.merchantId} and status in ('paid', 'failed')`,
    );
    expect(res.totals.count).toBe(Number(oracle!.n));
    expect(res.totals.amount).toBe(BigInt(oracle!.s));
    for (let i = 1; i < res.page.rows.length; i++) {
      expect(res.page.rows[i - 1]!.expectedArrivalDate >= res.page.rows[i]!.expectedArrivalDate).toBe(true);
    }
  });

  it("a payout's items sum to its amount, and its summary adds up", async () => {
    const [po] = await rows<{ id: string; amount: string; item_count: number }>(
      t.db,
      sql`select id, amount::text as amount, item_count from payouts where merchant_id = ${northwind.merchantId} and status = 'paid'
          order by item_count desc limit 1`,
    );
    const payout = await getPayout(northwind, po!.id);
    expect(payout?.status).toBe("paid");
    const summary = await payoutSummary(northwind, po!.id);
    expect(summary.net).toBe(BigInt(po!.amount));
    expect(summary.chargesGross + summary.refunds - summary.fees + summary.returnedPayouts + summary.other).toBe(summary.net);
    expect(summary.itemCount).toBe(Number(po!.item_count));

    let sum = 0n;
    let n = 0;
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const page = await payoutItems(northwind, po!.id, payoutItemsQuerySchema.parse(new URLSearchParams(cursor ? { cursor, limit: "25" } : { limit: "25" })));
      for (const r of page.rows) {
        sum += BigInt(r.net);
        n++;
        if (r.category === "charge") expect(r.paymentId).toBe(r.sourceId);
        if (r.category === "refund") expect(r.paymentId).toMatch(/^pay_/);
      }
      if (!page.next) break;
      cursor = page.next;
    }
    expect(n).toBe(summary.itemCount);
    expect(sum).toBe(BigInt(po!.amount));
    expect(await getPayout(coffee, po!.id)).toBeNull();
  });

  it("balances equal the ledger's postings and the next payout is estimated", async () => {
    const now = demoSeededAt();
    const b = await balanceOverview(coffee, now);
    const [oracle] = await rows<{ pending: string; available: string; in_transit: string }>(
      t.db,
      sql`select coalesce(sum(amount) filter (where account = 'merchant_balance' and available_on > ${now.toISOString()}::timestamptz), 0)::text as pending,
            coalesce(sum(amount) filter (where account = 'merchant_balance' and available_on <= ${now.toISOString()}::timestamptz), 0)::text as available,
            coalesce(sum(amount) filter (where account = 'merchant_in_transit'), 0)::text as in_transit
          from ledger_entries where merchant_id = ${coffee.merchantId}`,
    );
    expect(b.pending).toBe(oracle!.pending);
    expect(b.available).toBe(oracle!.available);
    expect(b.inTransit).toBe(oracle!.in_transit);
    expect(b.estimate).not.toBeNull();
    expect(new Date(b.estimate!.cutoffAt).getTime()).toBeGreaterThan(now.getTime());
    expect(b.estimate!.expectedArrivalDate >= localDateKey(now, coffee.timeZone)).toBe(true);
  });

  it("the bank filter offers every issuing bank the merchant has sold through, in order, and only those", async () => {
    for (const scope of [coffee, { merchantId: "mer_northwind", timeZone: "America/New_York", currency: "USD" }]) {
      const { banks, terminals } = await paymentFilterOptions(scope);
      const expected = await rows<{ b: string }>(
        t.db,
        sql`select distinct issuer_bank as b from payments where merchant_id = ${scope.merchantId} and coalesce(issuer_bank, '') <> '' order by 1`,
      );
      expect(banks).toEqual(expected.map((r) => r.b));
      expect(terminals.length).toBeGreaterThan(0);
    }
    expect((await paymentFilterOptions(coffee)).banks.length).toBeGreaterThan(3);
  });

  it("the next payout estimate skips a day the merchant closes, and comes back when it reopens it", async () => {
    const now = demoSeededAt();
    const before = (await balanceOverview(coffee, now)).estimate!;
    const day = before.expectedArrivalDate;
    await t.db.execute(sql`insert into merchant_holidays (merchant_id, day, name, closed) values (${coffee.merchantId}, ${day}::date, 'Stocktaking', true)`);
    const closed = (await balanceOverview(coffee, now)).estimate!;
    expect(closed.expectedArrivalDate > day).toBe(true);
    await t.db.execute(sql`update merchant_holidays set closed = false where merchant_id = ${coffee.merchantId} and day = ${day}::date`);
    expect((await balanceOverview(coffee, now)).estimate!.expectedArrivalDate).toBe(day);
    await t.db.execute(sql`delete from merchant_holidays where merchant_id = ${coffee.merchantId} and day = ${day}::date`);
  });
});

describe("payment detail", () => {
  it("shows refunds, ledger lines with postings and the payout that carried the money", async () => {
    const [p] = await rows<{ id: string; payout_id: string }>(
      t.db,
      sql`select p.id, pi.payout_id from payments p
          join refunds r on r.merchant_id = p.merchant_id and r.payment_id = p.id and r.status = 'succeeded'
          join ledger_transactions lt on lt.merchant_id = p.merchant_id and lt.source_id = p.id and lt.category = 'charge'
          join payout_items pi on pi.merchant_id = lt.merchant_id and pi.ledger_transaction_id = lt.id
          where p.merchant_id = ${coffee.merchantId} limit 1`,
    );
    const view = await paymentView(coffee, p!.id);
    expect(view).not.toBeNull();
    expect(view!.refunds.length).toBeGreaterThan(0);
    expect(BigInt(view!.payment.refundable)).toBe(BigInt(view!.payment.amount) - BigInt(view!.payment.amountRefunded));
    const charge = view!.ledger.find((l) => l.category === "charge")!;
    expect(charge.payoutId).toBe(p!.payout_id);
    expect(charge.postings.reduce((s, x) => s + BigInt(x.amount), 0n)).toBe(0n);
    const kinds = view!.timeline.map((e) => e.kind);
    expect(kinds.slice(0, 3)).toEqual(["created", "authorized", "captured"]);
    expect(kinds).toContain("refund");
    expect(kinds).toContain("payout_included");
    expect(await paymentView(northwind, p!.id)).toBeNull();
  });
});
