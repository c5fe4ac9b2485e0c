/**
 * `npm run vat`: the operator's table of VAT rates on our fees (fee statements use the
 * rate in force on each fee's local day).
 *
 *   npm run vat -- list [IR]
 *   npm run vat -- set IR 10 2024-03-20 "VAT 10 % from 1 Farvardin 1403"
 *
 * `set` adds a rate from a day on (or replaces the rate of that day). Statements already
 * issued never change; the new rate applies to statements issued afterwards.
 */
import "./check-env";
import { sql } from "drizzle-orm";
import { connect, db, rows } from "../../db/client.server";
import { setVatRate } from "../modules/accounting/fee-statements.server";

const [command, country, rate, from, ...note] = process.argv.slice(2);

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

await connect();
if (command === "set") {
  if (!country || !rate || !from) fail('Usage: npm run vat -- set <country> <rate %> <from YYYY-MM-DD> ["note"]');
  const pct = Number(rate);
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(rate) || pct > 100) fail(`rate: "${rate}" is not a percentage such as 10 or 7.5`);
  try {
    await setVatRate(db(), country.toUpperCase(), from, Math.round(pct * 100), note.join(" "));
  } catch (e) {
    fail((e as Error).message);
  }
  console.log(`VAT for ${country.toUpperCase()} is ${pct} % from ${from}.`);
} else if (command === "list" || command === undefined) {
  const list = await rows<{ country: string; from: string; rate_bps: number; note: string }>(
    db(),
    sql`select country, effective_from::text as from, rate_bps, note from vat_rates ${country ? sql`where country = ${country.toUpperCase()}` : sql``} order by country, effective_from`,
  );
  for (const r of list) console.log(`${r.country}  from ${r.from}  ${(r.rate_bps / 100).toFixed(2)} %  ${r.note}`);
} else {
  fail("Usage: npm run vat -- list [country] | set <country> <rate %> <from YYYY-MM-DD> [note]");
}
process.exit(0);
