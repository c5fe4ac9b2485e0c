/**
 * The Subscriptions and Customers lists show every row, 50 to a page, newest first: none is
 * left out past the first page (the demo's coffee box has hundreds of both).
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, rows } from "~db/client.server";
import { loader } from "~/routes/_app.subscriptions._index";
import { loader as customersLoader } from "~/routes/_app.customers._index";
import { useTestDatabase } from "../../support/db";
import { as, signIn } from "../../support/auth";

useTestDatabase({ seed: "demo" });

type Page = { page: number; hasNext: boolean; subscriptions: { id: string }[] };
async function page(path: string): Promise<Page> {
  const viewer = await signIn("viewer@coffee.test");
  const res = (await loader({ request: as(viewer, path), params: {}, context: {} } as never)) as Response;
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

describe("the Subscriptions list, page by page", () => {
  it("walks every subscription of the merchant once, in the database's newest-first order, with and without a status filter", async () => {
    for (const status of [null, "active"] as const) {
      const expected = await rows<{ id: string }>(
        db(),
        sql`select id from subscriptions where merchant_id = 'mer_demo_coffee' and (${status}::text is null or status = ${status}) order by created_at desc, id desc`,
      );
      expect(expected.length).toBeGreaterThan(50);
      const seen: string[] = [];
      let n = 1;
      for (;;) {
        const p = await page(`/subscriptions?${status ? `status=${status}&` : ""}page=${n}`);
        expect(p.page).toBe(n);
        expect(p.subscriptions.length).toBeLessThanOrEqual(50);
        seen.push(...p.subscriptions.map((s) => s.id));
        if (!p.hasNext) break;
        n++;
      }
      expect(seen).toEqual(expected.map((e) => e.id));
    }
  });

  it("reads Persian digits in the page number and falls back to the first page on a bad one", async () => {
    expect((await page("/subscriptions?page=۲")).page).toBe(2);
    for (const bad of ["0", "-1", "abc", "1.5", "99999999"]) expect((await page(`/subscriptions?page=${bad}`)).page).toBe(1);
    const past = await page("/subscriptions?page=20000");
    expect(past.subscriptions).toEqual([]);
    expect(past.hasNext).toBe(false);
  });

  it("walks every customer once, and a search's matches page by page", async () => {
    const viewer = await signIn("viewer@coffee.test");
    for (const q of ["", "a"]) {
      const expected = await rows<{ id: string }>(
        db(),
        sql`select id from customers where merchant_id = 'mer_demo_coffee' and (${q} = '' or lower(name) like ${`${q}%`} or lower(email) like ${`${q}%`} or lower(name) like ${`% ${q}%`} or reference ilike ${`${q}%`} or phone ilike ${`${q}%`}) order by created_at desc, id desc`,
      );
      expect(expected.length).toBeGreaterThan(q === "" ? 50 : 0);
      const seen: string[] = [];
      for (let n = 1; ; n++) {
        const res = (await customersLoader({ request: as(viewer, `/customers?q=${q}&page=${n}`), params: {}, context: {} } as never)) as Response;
        const p = (await res.json()) as { page: number; hasNext: boolean; customers: { id: string }[] };
        expect(p.page).toBe(n);
        seen.push(...p.customers.map((c) => c.id));
        if (!p.hasNext) break;
      }
      expect(seen).toEqual(expected.map((e) => e.id));
    }
  });
});
