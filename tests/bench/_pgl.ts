import { openPglite, migrate } from "../../db/client.server";
import { COFFEE } from "../../db/seed/merchants";
import { calendarFor, insertMerchant } from "../../db/seed/seed";
import { generateMerchantDays } from "../../db/seed/generate";
import { CopyBuffer, pgliteCopyTarget } from "../../db/seed/copy";
const h = await openPglite(undefined); await migrate(h);
const { bankAccountId, bankAccountMask } = await insertMerchant(h.db, COFFEE, { activatedAt: new Date(Date.now() - 400 * 864e5) });
const t0 = performance.now();
const buf = new CopyBuffer();
for (const b of generateMerchantDays(COFFEE, { seed: 1, payments: 40000, days: 365, now: new Date(), calendar: calendarFor(COFFEE), bankAccountId, bankAccountMask, refundUserIds: [] })) buf.add(b);
console.log("gen+encode", Math.round(performance.now() - t0));
const target = pgliteCopyTarget(h.pglite as never);
for (const [table, csv] of buf.take()) { const t = performance.now(); await target.copy(table, csv); console.log(table, csv.length, Math.round(performance.now() - t)); }
await h.close();
