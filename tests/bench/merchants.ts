/**
 * The benchmark's merchants: one large platform merchant (millions of payments over
 * two years, eight terminals) and many small shops, all cut from the demo specs so
 * they go through the same generator, ledger, rollup and calendar rules.
 */
import { COFFEE, NORTHWIND, type MerchantSpec } from "~/demo/merchants";

export const BIG_MERCHANT_ID = "mer_bench_big";

export const BIG: MerchantSpec = {
  ...COFFEE,
  id: BIG_MERCHANT_ID,
  name: "Bench Platform Coffee",
  legalName: "Bench Platform Coffee Co.",
  contactEmail: "bench@platform.test",
  terminals: [
    { id: "term_big_virtual", name: "Virtual terminal", location: null, kind: "virtual", weight: 0.06 },
    { id: "term_big_web", name: "Web checkout", location: "platform.test", kind: "api", weight: 0.3 },
    { id: "term_big_app", name: "Mobile app", location: "iOS / Android", kind: "api", weight: 0.2 },
    { id: "term_big_tajrish", name: "Tajrish café", location: "Tehran, Tajrish", kind: "api", weight: 0.12 },
    { id: "term_big_vanak", name: "Vanak café", location: "Tehran, Vanak", kind: "api", weight: 0.1 },
    { id: "term_big_isfahan", name: "Isfahan café", location: "Isfahan, Chaharbagh", kind: "api", weight: 0.09 },
    { id: "term_big_shiraz", name: "Shiraz café", location: "Shiraz, Zand", kind: "api", weight: 0.08 },
    { id: "term_big_tabriz", name: "Tabriz café", location: "Tabriz, Valiasr", kind: "api", weight: 0.05 },
  ],
};

/** Small shop number i (1-based): alternately Iranian and American, each its own merchant. */
export function smallMerchant(i: number): MerchantSpec {
  const base = i % 2 === 0 ? COFFEE : NORTHWIND;
  const n = String(i).padStart(3, "0");
  return {
    ...base,
    id: `mer_bench_s${n}`,
    name: `${base === COFFEE ? "Café" : "Bookshop"} ${n}`,
    legalName: `${base.legalName} ${n}`,
    contactEmail: `shop${n}@bench.test`,
    terminals: base.terminals.slice(0, 2).map((t) => ({ ...t, apiKey: undefined })),
  };
}

export const BENCH_USER = {
  id: "usr_bench_owner",
  email: "owner@bench.test",
  name: "Bench Owner",
  password: "bench-password-123",
};
