/**
 * The bulk writer's two COPY encodings (app/demo/copy.ts): binary (the default, used by
 * the demo seed and the benchmark) and CSV text must write the same ledger. The same
 * generated history is written both ways into two fresh databases and every loaded
 * table is compared row for row, on PGlite and on a real server (TEST_DATABASE_URL).
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows, type Db } from "../../../db/client.server";
import { COPY_ORDER, CopyBuffer, copyTargetFor, type CopyFormat } from "../../../app/demo/copy";
import { generateMerchantDays } from "../../../app/demo/generate";
import { COFFEE, NORTHWIND, type MerchantSpec } from "../../../app/demo/merchants";
import { calendarFor, insertMerchant } from "../../../app/demo/seed";
import { useTestDatabase } from "../../support/db";

const viaCsv = useTestDatabase();
const viaBinary = useTestDatabase();

// Text the CSV encoder has to quote and the binary one has to encode as UTF-8.
const AWKWARD: MerchantSpec = {
  ...COFFEE,
  id: "mer_copy_awkward",
  name: "Awkward Text Café",
  contactEmail: "awkward@copy.test",
  descriptions: ['Café "au lait", x2', "چای و کیک {n}", " leading and trailing ", "two\nlines", "back\\slash #{n}", ""],
  bank: { ...COFFEE.bank, bankName: "بانک ملت, شعبه ۱" },
};

const now = new Date("2026-06-15T12:00:00Z");

/**
 * On a server the triggers on payments and refunds keep sales_daily, in the slot of the
 * loading backend (pg_backend_pid() % 8): loading its rows too would count them twice and,
 * for one backend in eight, collide with the trigger's rows in slot 0. The demo seed leaves
 * them to the triggers there (writeMerchantHistory's `rollups: false`); so does this test.
 */
async function write(db: Db, format: CopyFormat, realServer: boolean): Promise<Record<string, number>> {
  const target = copyTargetFor(db);
  const written: Record<string, number> = { payments: 0, ledger: 0 };
  for (const spec of [AWKWARD, NORTHWIND]) {
    const activatedAt = new Date(now.getTime() - 120 * 86_400_000);
    const { bankAccountId, bankAccountMask } = await insertMerchant(db, spec, { activatedAt, apiKeys: false });
    const buffer = new CopyBuffer({ format });
    for (const batch of generateMerchantDays(spec, {
      seed: 3,
      payments: 700,
      days: 90,
      now,
      calendar: calendarFor(spec),
      bankAccountId,
      bankAccountMask,
      refundUserIds: [],
    })) {
      buffer.add(realServer ? { ...batch, rollups: [] } : batch);
      written.payments! += batch.payments.length;
      written.ledger! += batch.ledger.length;
      // Several COPY statements per table.
      if (buffer.rows >= 1500) await buffer.flush(target);
    }
    await buffer.flush(target);
  }
  return written;
}

/** Each loaded table as one digest of its rows' text, in a fixed order. */
async function digest(db: Db): Promise<Record<string, { n: number; md5: string }>> {
  const out: Record<string, { n: number; md5: string }> = {};
  for (const table of COPY_ORDER) {
    // On a server the triggers on payments and refunds add into sales_daily as well, in the
    // slot of the loading backend: its rows are compared with their slots summed.
    const source =
      table === "sales_daily"
        ? sql`(select merchant_id, day, terminal_id, card_brand, issuer_bank, card_funding, currency, sum(attempt_count), sum(captured_count),
              sum(captured_amount), sum(declined_count), sum(fee_amount), sum(refund_count), sum(refunded_amount)
            from sales_daily group by 1, 2, 3, 4, 5, 6, 7)`
        : sql.identifier(table);
    const [r] = await rows<{ n: number; md5: string }>(
      db,
      sql`select count(*)::int as n, md5(coalesce(string_agg(x::text, E'\n' order by x::text), '')) as md5 from ${source} x`,
    );
    out[table] = r!;
  }
  return out;
}

describe("binary and CSV COPY write the same ledger", () => {
  it("loads identical rows in every table, quotes, non-Latin text and NULLs included", async () => {
    const a = await write(viaCsv.db, "csv", viaCsv.realServer);
    const b = await write(viaBinary.db, "binary", viaBinary.realServer);
    expect(b).toEqual(a);
    const [csv, binary] = [await digest(viaCsv.db), await digest(viaBinary.db)];
    expect(binary).toEqual(csv);
    expect(binary.payments!.n).toBe(a.payments);
    expect(binary.ledger_transactions!.n).toBe(a.ledger);
    for (const table of COPY_ORDER) expect(binary[table]!.n, table).toBeGreaterThan(0);

    // The awkward text arrived as written, not merely the same both ways.
    const texts = await rows<{ description: string }>(
      viaBinary.db,
      sql`select distinct regexp_replace(description, '[0-9]{5}', '{n}') as description from payments where merchant_id = ${AWKWARD.id} order by 1`,
    );
    expect(texts.map((t) => t.description).sort()).toEqual([...AWKWARD.descriptions].sort());
    const [payout] = await rows<{ bank_name: string; bank_account_mask: string }>(
      viaBinary.db,
      sql`select bank_name, bank_account_mask from payouts where merchant_id = ${AWKWARD.id} limit 1`,
    );
    expect(payout!.bank_name).toBe(AWKWARD.bank.bankName);
    expect(payout!.bank_account_mask).toMatch(/^•••• \d{4}$/);
  }, 180_000);

  it("a COPY the database refuses fails with the database's error instead of waiting forever", async () => {
    // The same day written twice: the second COPY of payments breaks its primary key. Over
    // postgres.js the error arrives after the stream has ended (patches/postgres+3.4.9.patch).
    const spec: MerchantSpec = { ...NORTHWIND, id: "mer_copy_twice", contactEmail: "twice@copy.test" };
    const { bankAccountId, bankAccountMask } = await insertMerchant(viaBinary.db, spec, { activatedAt: new Date(now.getTime() - 30 * 86_400_000), apiKeys: false });
    const [first] = generateMerchantDays(spec, {
      seed: 5, payments: 40, days: 2, now, calendar: calendarFor(spec), bankAccountId, bankAccountMask, refundUserIds: [],
    });
    const target = copyTargetFor(viaBinary.db);
    const load = () => {
      const buffer = new CopyBuffer({ format: "binary" });
      buffer.add({ ...first!, rollups: [] });
      return buffer.flush(target);
    };
    await load();
    await expect(load()).rejects.toThrow(/duplicate key value violates unique constraint "payments_merchant_id_id_pk"/);
    // The pool is still usable afterwards.
    const [n] = await rows<{ n: number }>(viaBinary.db, sql`select count(*)::int as n from payments where merchant_id = ${spec.id}`);
    expect(n!.n).toBe(first!.payments.length);
  }, 20_000);
});
