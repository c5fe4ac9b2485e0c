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

async function write(db: Db, format: CopyFormat): Promise<Record<string, number>> {
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
      buffer.add(batch);
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
    const a = await write(viaCsv.db, "csv");
    const b = await write(viaBinary.db, "binary");
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
  });
});
