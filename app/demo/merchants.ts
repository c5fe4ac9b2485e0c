/** The two demo merchants and their people: fixed data, documented in the README. */
export const DEMO_PASSWORD = "demo-password-123";

export interface TerminalSpec {
  id: string;
  name: string;
  location: string | null;
  kind: "virtual" | "api";
  weight: number;
  apiKey?: string;
}

export interface CardSpec {
  bin: string;
  brand: "visa" | "mastercard" | "amex" | "shetab";
  issuer: string; // Iranian bank code or issuer name
  weight: number;
}

export interface MerchantSpec {
  id: string;
  name: string;
  legalName: string;
  country: string;
  currency: "IRR" | "USD";
  timeZone: string;
  cutoff: string;
  delayDays: number;
  weekendDays: number[];
  holidayCalendar: string;
  minimumPayout: bigint;
  feeBps: number;
  feeFixed: bigint;
  supportRefundLimit: bigint;
  contactEmail: string;
  contactPhone: string;
  businessType: string;
  bank: { kind: "sheba" | "aba"; accountNumber: string; routingNumber?: string; holderName: string; bankCode?: string; bankName: string };
  terminals: TerminalSpec[];
  cards: CardSpec[];
  funding: { debit: number; credit: number; prepaid: number };
  /** Amount model: log-normal around a median, rounded to `round` minor units, clamped. */
  amount: { median: number; sigma: number; min: number; max: number; round: number };
  /** Relative sales by local hour 0..23. */
  hourly: number[];
  /** Relative sales by weekday 0 (Sunday) .. 6. */
  weekday: number[];
  descriptions: string[];
}

export const COFFEE: MerchantSpec = {
  id: "mer_demo_coffee",
  name: "Demo Coffee Roasters",
  legalName: "Demo Coffee Roasters Co.",
  country: "IR",
  currency: "IRR",
  timeZone: "Asia/Tehran",
  cutoff: "23:30",
  delayDays: 1,
  weekendDays: [5],
  holidayCalendar: "IR",
  minimumPayout: 5_000_000n,
  feeBps: 40,
  feeFixed: 0n,
  supportRefundLimit: 20_000_000n,
  contactEmail: "hello@coffee.test",
  contactPhone: "+98 21 5555 0100",
  businessType: "Coffee roastery and cafés",
  bank: { kind: "sheba", accountNumber: "", holderName: "Demo Coffee Roasters Co.", bankCode: "017", bankName: "Melli Bank" },
  terminals: [
    { id: "term_coffee_virtual", name: "Virtual terminal", location: null, kind: "virtual", weight: 0.12 },
    { id: "term_coffee_web", name: "Web checkout", location: "coffee.test", kind: "api", weight: 0.38, apiKey: "sk_test_coffee_web_0001" },
    { id: "term_coffee_tajrish", name: "Tajrish café", location: "Tehran, Tajrish", kind: "api", weight: 0.3 },
    { id: "term_coffee_isfahan", name: "Isfahan café", location: "Isfahan, Chaharbagh", kind: "api", weight: 0.2 },
  ],
  cards: [
    { bin: "603799", brand: "shetab", issuer: "017", weight: 20 },
    { bin: "610433", brand: "shetab", issuer: "012", weight: 15 },
    { bin: "603769", brand: "shetab", issuer: "019", weight: 10 },
    { bin: "627353", brand: "shetab", issuer: "018", weight: 9 },
    { bin: "621986", brand: "shetab", issuer: "056", weight: 9 },
    { bin: "502229", brand: "shetab", issuer: "057", weight: 8 },
    { bin: "589210", brand: "shetab", issuer: "015", weight: 6 },
    { bin: "622106", brand: "shetab", issuer: "054", weight: 6 },
    { bin: "603770", brand: "shetab", issuer: "016", weight: 5 },
    { bin: "627412", brand: "shetab", issuer: "055", weight: 4 },
    { bin: "636214", brand: "shetab", issuer: "062", weight: 3 },
    { bin: "502806", brand: "shetab", issuer: "061", weight: 3 },
    { bin: "627488", brand: "shetab", issuer: "053", weight: 2 },
  ],
  funding: { debit: 0.86, credit: 0.04, prepaid: 0.1 },
  amount: { median: 2_400_000, sigma: 0.8, min: 500_000, max: 60_000_000, round: 1000 },
  hourly: [0.2, 0.1, 0.05, 0.02, 0.02, 0.1, 0.6, 2.2, 3.5, 3.2, 2.4, 2.2, 2.8, 2.9, 2.2, 2, 2.4, 3, 3.3, 2.8, 2.2, 1.6, 1, 0.5],
  weekday: [1.05, 1.0, 1.0, 1.05, 1.25, 0.7, 1.2],
  descriptions: [
    "Espresso and croissant",
    "Latte x2",
    "Single-origin beans 250g",
    "House blend 1kg",
    "قهوه اسپرسو",
    "دانه قهوه ۲۵۰ گرم",
    "Cold brew bottle",
    "Gift card top-up",
    "Catering order",
  ],
};

export const NORTHWIND: MerchantSpec = {
  id: "mer_northwind",
  name: "Northwind Books",
  legalName: "Northwind Books LLC",
  country: "US",
  currency: "USD",
  timeZone: "America/New_York",
  cutoff: "00:00",
  delayDays: 2,
  weekendDays: [0, 6],
  holidayCalendar: "US",
  minimumPayout: 100n,
  feeBps: 290,
  feeFixed: 30n,
  supportRefundLimit: 20_000n,
  contactEmail: "hello@northwind.test",
  contactPhone: "+1 617 555 0142",
  businessType: "Bookshop",
  bank: { kind: "aba", accountNumber: "000123456789", routingNumber: "021000021", holderName: "Northwind Books LLC", bankName: "JPMorgan Chase" },
  terminals: [
    { id: "term_northwind_virtual", name: "Virtual terminal", location: null, kind: "virtual", weight: 0.1 },
    { id: "term_northwind_web", name: "Online store", location: "northwind.test", kind: "api", weight: 0.5, apiKey: "sk_test_northwind_web_0001" },
    { id: "term_northwind_boston", name: "Boston shop", location: "Boston, MA", kind: "api", weight: 0.25 },
    { id: "term_northwind_phone", name: "Phone orders", location: "Call center", kind: "api", weight: 0.15 },
  ],
  cards: [
    { bin: "414720", brand: "visa", issuer: "Chase", weight: 18 },
    { bin: "426684", brand: "visa", issuer: "Chase", weight: 8 },
    { bin: "431940", brand: "visa", issuer: "Bank of America", weight: 12 },
    { bin: "400022", brand: "visa", issuer: "Wells Fargo", weight: 10 },
    { bin: "542418", brand: "mastercard", issuer: "Citibank", weight: 12 },
    { bin: "552433", brand: "mastercard", issuer: "Capital One", weight: 12 },
    { bin: "222300", brand: "mastercard", issuer: "Bank of America", weight: 6 },
    { bin: "371449", brand: "amex", issuer: "American Express", weight: 10 },
    { bin: "378282", brand: "amex", issuer: "American Express", weight: 5 },
  ],
  funding: { debit: 0.35, credit: 0.6, prepaid: 0.05 },
  amount: { median: 2600, sigma: 0.75, min: 499, max: 45_000, round: 1 },
  hourly: [0.3, 0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 1, 1.6, 2.2, 2.4, 2.6, 2.4, 2.2, 2.2, 2.3, 2.4, 2.6, 2.8, 2.6, 2, 1.2, 0.6],
  weekday: [1.2, 0.9, 0.9, 0.95, 1.0, 1.15, 1.3],
  descriptions: [
    "Order #{n}",
    "Gift card",
    "Signed first edition",
    "Book club subscription",
    "Used paperbacks (3)",
    "Special order: \"Dune\", hardcover",
    "Children's books, set of 5",
  ],
};

export interface UserSpec {
  id: string;
  email: string;
  name: string;
  locale?: string;
  memberships: { merchantId: string; role: "owner" | "admin" | "support" | "accountant" | "viewer" }[];
}

export const USERS: UserSpec[] = [
  { id: "usr_coffee_owner", email: "owner@coffee.test", name: "Shirin Owner", memberships: [{ merchantId: COFFEE.id, role: "owner" }] },
  { id: "usr_coffee_admin", email: "admin@coffee.test", name: "Arash Admin", memberships: [{ merchantId: COFFEE.id, role: "admin" }] },
  { id: "usr_coffee_support", email: "support@coffee.test", name: "Sara Support", memberships: [{ merchantId: COFFEE.id, role: "support" }] },
  { id: "usr_coffee_accountant", email: "accountant@coffee.test", name: "Kaveh Accountant", memberships: [{ merchantId: COFFEE.id, role: "accountant" }] },
  { id: "usr_coffee_viewer", email: "viewer@coffee.test", name: "Nima Viewer", memberships: [{ merchantId: COFFEE.id, role: "viewer" }] },
  { id: "usr_coffee_fa", email: "fa@coffee.test", name: "مریم مدیر", locale: "fa", memberships: [{ merchantId: COFFEE.id, role: "admin" }] },
  { id: "usr_northwind_owner", email: "owner@northwind.test", name: "Olivia Owner", memberships: [{ merchantId: NORTHWIND.id, role: "owner" }] },
  { id: "usr_northwind_support", email: "support@northwind.test", name: "Sam Support", memberships: [{ merchantId: NORTHWIND.id, role: "support" }] },
  { id: "usr_northwind_accountant", email: "accountant@northwind.test", name: "Alex Accountant", memberships: [{ merchantId: NORTHWIND.id, role: "accountant" }] },
  {
    id: "usr_books",
    email: "books@ledger.test",
    name: "Bahar Books",
    memberships: [
      { merchantId: COFFEE.id, role: "accountant" },
      { merchantId: NORTHWIND.id, role: "accountant" },
    ],
  },
];
