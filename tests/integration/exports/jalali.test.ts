import { useTestDatabase } from "../../support/db";
import { signIn, type SignedIn } from "../../support/auth";
import { createPayment } from "../../../app/modules/payments/payments.server";
import { loader as reportsLoader } from "../../../app/routes/_app.reports._index";
import { as } from "../../support/auth";
import { download, readCsv } from "./helpers";
import { CARD_EXP_YEAR } from "../../support/cards";

/**
 * Exports for Persian readers: a Jalali twin beside each ISO date column (on by default
 * for them, on request for anyone), Excel's byte-order mark by default, and the Reports
 * page preset to the last Jalali month.
 */
const t = useTestDatabase({ seed: "demo" });
void t;

const COFFEE = { merchantId: "mer_demo_coffee" };
const IR_CARD = { number: "6037990000000006", expMonth: 12, expYear: CARD_EXP_YEAR, cvc: "123" };

let persian: SignedIn;
let accountant: SignedIn;
let paymentId: string;

beforeAll(async () => {
  persian = await signIn("fa@coffee.test");
  accountant = await signIn("accountant@coffee.test");
  // 20:40 UTC on 20 March 2025 is 00:10 on 21 March in Tehran: Nowruz, 1 Farvardin 1404.
  const r = await createPayment(COFFEE, { amount: 2_000_000n, currency: "IRR", card: IR_CARD, description: "Nowruz" }, { terminalId: "term_coffee_web", now: new Date("2025-03-20T20:40:00Z") });
  if (!r.ok) throw new Error(JSON.stringify(r));
  paymentId = r.payment.id;
});

describe("Jalali date columns", () => {
  it("stand beside the ISO ones by default for a Persian reader, in the report's time zone", async () => {
    const d = await download(persian, "/reports/payments.csv?from=2025-03-21&to=2025-03-21&columns=id,created,created_utc");
    expect(d.status).toBe(200);
    expect(d.bom).toBe(true);
    const csv = readCsv(d.body);
    expect(csv.header).toEqual(["id", "created (Asia/Tehran)", "created_jalali (Asia/Tehran)", "created_utc"]);
    expect(csv.records).toEqual([
      { id: paymentId, "created (Asia/Tehran)": "2025-03-21 00:10:00", "created_jalali (Asia/Tehran)": "1404/01/01 00:10:00", created_utc: "2025-03-20 20:40:00" },
    ]);
  });

  it("follow the time zone asked for: the same instant is still Esfand in New York", async () => {
    const csv = readCsv((await download(persian, "/reports/payments.csv?from=2025-03-20&to=2025-03-20&tz=America/New_York&columns=id,created")).body);
    const row = csv.records.find((r) => r.id === paymentId)!;
    expect(row["created_jalali (America/New_York)"]).toBe("1403/12/30 16:40:00");
  });

  it("are off when asked, and on request for an English reader; date columns get theirs too", async () => {
    const off = readCsv((await download(persian, "/reports/payments.csv?from=2025-03-21&to=2025-03-21&columns=id,created&jalali=0")).body);
    expect(off.header).toEqual(["id", "created (Asia/Tehran)"]);
    const en = await download(accountant, "/reports/payments.csv?from=2025-03-21&to=2025-03-21&columns=id,created");
    expect(en.bom).toBe(false);
    expect(readCsv(en.body).header).toEqual(["id", "created (Asia/Tehran)"]);
    const asked = readCsv((await download(accountant, "/reports/payouts.csv?columns=id,expected_arrival_date&jalali=1")).body);
    expect(asked.header).toEqual(["id", "expected_arrival_date", "expected_arrival_date_jalali"]);
    for (const r of asked.records) {
      expect(r.expected_arrival_date_jalali).toMatch(/^14\d\d\/\d\d\/\d\d$/);
    }
    const bad = await download(accountant, "/reports/payments.csv?jalali=maybe");
    expect(bad.status).toBe(400);
  });

  it("are ticked on the Reports page for a Persian reader, whose period starts as the last Jalali month", async () => {
    const res = (await reportsLoader({ request: as(persian, "/reports"), params: {}, context: {} })) as Response;
    const page = (await res.json()) as { jalali: boolean; excel: boolean; start: string; end: string; href: string };
    expect(page.jalali).toBe(true);
    expect(page.excel).toBe(true);
    expect(page.href).toContain("jalali=1");
    // A Jalali month starts on the 1st of a Jalali month: the start and end days are both such days.
    const { normalizeDayInput, jalaliDayText } = await import("../../../app/lib/day-input");
    expect(jalaliDayText(page.start)).toMatch(/\/01$/);
    expect(jalaliDayText(page.end)).toMatch(/\/01$/);
    expect(normalizeDayInput(jalaliDayText(page.start))).toBe(page.start);
    const typed = (await reportsLoader({ request: as(persian, `/reports?start=${encodeURIComponent("۱۴۰۴/۰۱/۰۱")}&end=${encodeURIComponent("۱۴۰۴/۰۲/۰۱")}`), params: {}, context: {} })) as Response;
    const p2 = (await typed.json()) as { start: string; end: string };
    expect(p2).toMatchObject({ start: "2025-03-21", end: "2025-04-21" });
  });
});
