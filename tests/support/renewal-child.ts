/**
 * A process that runs the subscription renewals and is killed mid-charge by the test
 * (tests/integration/subscriptions/races.test.ts). CRASH_POINT:
 * - after_provider: the provider charged the card, the answer never reaches the database;
 * - before_provider: the payment was written (pending), the provider was never called.
 */
import { openPostgres, setDb } from "../../db/client.server";
import { registerProcessor, sandboxProcessor } from "../../app/modules/processors/sandbox-processor.server";
import { runRenewals } from "../../app/modules/subscriptions/renewals.server";

const handle = await openPostgres(process.env.DATABASE_URL!, { max: 4 });
setDb(handle);
const point = process.env.CRASH_POINT;
registerProcessor({
  ...sandboxProcessor,
  authorize: async (req) => {
    if (point === "after_provider") {
      await sandboxProcessor.authorize(req);
      console.log(`charged ${req.reference}`);
    } else {
      console.log(`about to charge ${req.reference}`);
    }
    await new Promise((r) => setTimeout(r, 120_000));
    throw new Error("unreachable: killed before");
  },
});
console.log("child ready");
await runRenewals({ now: new Date(process.env.RENEW_AT!), merchantIds: [process.env.MERCHANT_ID!] });
console.log("child finished (should have been killed)");
