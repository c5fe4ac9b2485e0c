/**
 * `npm run db:seed [-- --seed N --payments N --reset]`: writes the demo ledger into the
 * database named by the environment (PGlite under ./data by default). --payments sets
 * Demo Coffee's size (Northwind gets ~3/8 of it). The ledger ends now, or at SEED_NOW when set.
 */
import { parseArgs } from "node:util";
import { connect } from "~db/client.server";
import { assertEnv } from "~/lib/env.server";
import { demoNow, isSeeded, seedDemo } from "./seed";

assertEnv();
const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    payments: { type: "string" },
    days: { type: "string", default: "365" },
    force: { type: "boolean", default: false },
  },
});
const seed = Number(values.seed);
const coffee = values.payments ? Number(values.payments) : 40_000;
if (!Number.isInteger(seed) || !Number.isInteger(coffee) || coffee < 0) {
  console.error("--seed and --payments take whole numbers");
  process.exit(2);
}
const handle = await connect();
if ((await isSeeded(handle.db)) && !values.force) {
  console.error(`The database (${handle.location}) already holds demo data. Remove it first (PGlite: delete the data folder) to seed again.`);
  await handle.close();
  process.exit(1);
}
const summary = await seedDemo(handle.db, {
  seed,
  coffeePayments: coffee,
  northwindPayments: Math.round((coffee * 15) / 40),
  days: Number(values.days),
  now: demoNow(),
  log: (m) => console.log(m),
});
console.log(`Seeded in ${summary.ms} ms:`, JSON.stringify(summary.merchants, null, 2));
await handle.close();
