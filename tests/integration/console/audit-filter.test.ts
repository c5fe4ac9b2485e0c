/**
 * The audit log's filters: a day that is not on the calendar (or outside the ledger's years)
 * is a 400 named beside its field on the page itself, in the reader's language; the other
 * filters still apply. (The edge leaves /audit's dates to its schema: PAGES_WITH_DATE_SCHEMAS.)
 */
import { useTestDatabase } from "../../support/db";
import { teamWithPersianAdmin } from "../../support/fixtures";
import { as, type SignedIn } from "../../support/auth";
import { loader as auditLoader } from "~/routes/_app.audit";
import { PAGES_WITH_DATE_SCHEMAS } from "~/web/edge/input-guard";

useTestDatabase({ seed: "none" });

let owner: SignedIn;
let persian: SignedIn;

beforeAll(async () => {
  ({ owner, persianAdmin: persian } = await teamWithPersianAdmin("af"));
});

async function page(user: SignedIn, path: string) {
  const res = (await auditLoader({ request: as(user, path), params: {}, context: {} })) as Response;
  return { status: res.status, data: (await res.json()) as { errors: Record<string, string>; filters: Record<string, unknown> } };
}

describe("audit log filters", () => {
  it("names an impossible or out-of-range day beside its field with a 400, keeping the other filters", async () => {
    expect(PAGES_WITH_DATE_SCHEMAS.has("/audit")).toBe(true);
    const r = await page(owner, "/audit?from=2025-02-30&to=9999-12-31&outcome=failure");
    expect(r.status).toBe(400);
    expect(r.data.errors).toEqual({ from: "Enter a date as YYYY-MM-DD, for example 2025-03-21", to: "Enter a date between 1970-01-01 and 2100-12-31" });
    expect(r.data.filters).toMatchObject({ outcome: "failure" });
    expect(r.data.filters.from).toBeUndefined();
  });

  it("says it in Persian, in Jalali terms, for a Persian reader", async () => {
    const r = await page(persian, "/audit?from=2025-02-30");
    expect(r.status).toBe(400);
    expect(r.data.errors).toEqual({ from: "هنوز تاریخ کاملی نیست: سال/ماه/روز را مانند ۱۴۰۴/۰۱/۳۱ بنویسید." });
  });

  it("names another bad filter by its label, and a good day is a 200", async () => {
    const bad = await page(owner, "/audit?outcome=maybe");
    expect(bad.status).toBe(400);
    expect(bad.data.errors).toEqual({ outcome: "The “Outcome” filter is not valid. Correct it or clear the filters." });
    const good = await page(owner, "/audit?from=2025-02-28&to=");
    expect(good.status).toBe(200);
    expect(good.data.filters.from).toBe("2025-02-28");
  });
});
