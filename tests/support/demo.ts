import { COFFEE, NORTHWIND, type MerchantSpec } from "~/demo/merchants";

const scopeOf = (m: MerchantSpec) => ({ merchantId: m.id, timeZone: m.timeZone, currency: m.currency });

/** The demo's merchants (`useTestDatabase({ seed: "demo" })`) as the domain's scope: Demo Coffee Roasters (IRR, Asia/Tehran) ... */
export const coffee = scopeOf(COFFEE);
/** ... and Northwind Books (USD, America/New_York). */
export const northwind = scopeOf(NORTHWIND);
