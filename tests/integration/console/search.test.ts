import { sql } from "drizzle-orm";
import { useTestDatabase } from "../../support/db";
import { coffee, northwind } from "../../support/demo";
import { rows } from "../../../db/client.server";
import { toPersianDigits } from "../../../app/lib/digits";
import { globalSearch, type SearchAccess } from "../../../app/modules/search/search.server";
import { createCustomer } from "../../../app/modules/subscriptions/customers.server";

const t = useTestDatabase({ seed: "demo" });
const ALL: SearchAccess = { payments: true, cards: true, payouts: true, terminals: true, staff: true, links: true, customers: true, views: null };

describe("global search", () => {
  it("finds a payment by its amount in toman written in Persian, and by card last 4", async () => {
    const [p] = await rows<{ id: string; amount: string; card_last4: string }>(
      t.db,
      sql`select id, amount::text as amount, card_last4 from payments where merchant_id = ${coffee.merchantId} and amount % 10000 = 0 and card_last4 is not null order by created_at desc limit 1`,
    );
    const toman = BigInt(p!.amount) / 10n;
    const byAmount = await globalSearch(coffee, `${toPersianDigits((toman / 1000n).toString())} هزار تومان`, ALL);
    const payments = byAmount.groups.find((g) => g.kind === "payments")!;
    expect(payments.hits.every((h) => h.amount === p!.amount)).toBe(true);
    expect(payments.hits.map((h) => h.id)).toContain(p!.id);

    const byCard = await globalSearch(coffee, toPersianDigits(p!.card_last4), ALL);
    expect(byCard.groups.find((g) => g.kind === "payments")!.hits.every((h) => h.cardLast4 === p!.card_last4)).toBe(true);
    // Without the card permission a last 4 finds no payment.
    const noCards = await globalSearch(coffee, p!.card_last4, { ...ALL, cards: false });
    expect(noCards.groups.find((g) => g.kind === "payments")?.hits.some((h) => h.id === p!.id) ?? false).toBe(false);
  });

  it("finds the refunds of the payments made with a card by its last 4, with the card shown, and only with the card permission", async () => {
    const [r] = await rows<{ id: string; payment_id: string; card_last4: string; card_brand: string }>(
      t.db,
      sql`select r.id, r.payment_id, p.card_last4, p.card_brand::text as card_brand from refunds r join payments p on p.merchant_id = r.merchant_id and p.id = r.payment_id
          where r.merchant_id = ${coffee.merchantId} and p.card_last4 is not null order by r.created_at desc limit 1`,
    );
    expect(r, "the demo has a refund of a card payment").toBeDefined();
    const [{ n }] = (await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from refunds r join payments p on p.merchant_id = r.merchant_id and p.id = r.payment_id where r.merchant_id = ${coffee.merchantId} and p.card_last4 = ${r!.card_last4}`,
    )) as [{ n: number }];
    const byCard = await globalSearch(coffee, toPersianDigits(r!.card_last4), ALL);
    const refunds = byCard.groups.find((g) => g.kind === "refunds");
    expect(refunds?.hits.length).toBe(Math.min(n, 6));
    expect(refunds!.hits.every((h) => h.cardLast4 === r!.card_last4 && h.cardBrand !== null)).toBe(true);
    if (n <= 6) expect(refunds!.hits.find((h) => h.id === r!.id)).toMatchObject({ href: `/payments/${r!.payment_id}`, cardBrand: r!.card_brand });
    // The payments found by the same last 4 are still there, next to their refunds.
    expect(byCard.groups.find((g) => g.kind === "payments")!.hits.length).toBeGreaterThan(0);
    // Without the card permission a last 4 finds no refund either.
    const noCards = await globalSearch(coffee, r!.card_last4, { ...ALL, cards: false });
    expect(noCards.groups.find((g) => g.kind === "refunds")).toBeUndefined();
    // Another merchant's refunds are never reached by a last 4.
    const theirs = await globalSearch(northwind, r!.card_last4, ALL);
    expect(theirs.groups.find((g) => g.kind === "refunds")?.hits.some((h) => h.id === r!.id) ?? false).toBe(false);
  });

  it("opens a payout by id and never reaches another merchant's records", async () => {
    const [po] = await rows<{ id: string }>(t.db, sql`select id from payouts where merchant_id = ${coffee.merchantId} limit 1`);
    const mine = await globalSearch(coffee, po!.id, ALL);
    expect(mine.groups.find((g) => g.kind === "payouts")!.hits[0]!.href).toBe(`/payouts/${po!.id}`);
    const theirs = await globalSearch(northwind, po!.id, ALL);
    expect(theirs.groups).toEqual([]);
  });

  it("finds terminals and staff by name only for those who may see them", async () => {
    const r = await globalSearch(coffee, "Tajrish", ALL);
    expect(r.groups.find((g) => g.kind === "terminals")!.hits[0]!.title).toMatch(/Tajrish/);
    const support = await globalSearch(coffee, "Tajrish", { ...ALL, terminals: false, staff: false });
    expect(support.groups.find((g) => g.kind === "terminals")).toBeUndefined();
    const staff = await globalSearch(coffee, "support@coffee", ALL);
    expect(staff.groups.find((g) => g.kind === "staff")!.hits[0]!.detail).toMatch(/support@coffee.test/);
  });

  it("finds customers by name, e-mail, reference and the last digits of their phone, only with the permission and in their merchant", async () => {
    const made = await createCustomer(coffee, { name: "Shirin Kazemi", email: "shirin@example.test", phone: "+98 912 555 7788", reference: "MEMBER-4411" });
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    const id = made.customer.id;
    for (const q of ["kazemi", "shirin@example", "member-4411", toPersianDigits("7788"), id]) {
      const r = await globalSearch(coffee, q, ALL);
      const hit = r.groups.find((g) => g.kind === "customers")?.hits.find((h) => h.id === id);
      expect(hit, q).toMatchObject({ href: `/customers/${id}`, title: "Shirin Kazemi", detail: "shirin@example.test · MEMBER-4411" });
    }
    expect((await globalSearch(coffee, "kazemi", { ...ALL, customers: false })).groups.find((g) => g.kind === "customers")).toBeUndefined();
    expect((await globalSearch(northwind, "kazemi", ALL)).groups.find((g) => g.kind === "customers")).toBeUndefined();
  });
});
