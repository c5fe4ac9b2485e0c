import type { Preferences } from "./i18n/preferences";
import type { Permission, Role } from "./permissions";

/** The signed-in person, as both the domain's AppContext and the page shell carry them. */
export interface MemberUser {
  id: string;
  email: string;
  name: string;
  locale: string | null;
  digits: string | null;
  irrDisplay: string | null;
  twoFactorEnabled: boolean;
}

/** The merchant a member works in; `Money` is bigint in the domain, a decimal string in JSON. */
export interface MemberMerchant<Money> {
  id: string;
  name: string;
  currency: string;
  timeZone: string;
  status: string;
  defaultLocale: string;
  country: string;
  supportRefundLimit: Money;
  require2fa: boolean;
}

/**
 * What the signed-in layout route (routes/_app) hands the page shell and its
 * children: JSON-safe (money as decimal strings).
 */
export interface ShellData {
  user: MemberUser;
  merchant: MemberMerchant<string>;
  role: Role;
  permissions: Permission[];
  memberships: { merchantId: string; merchantName: string; role: Role }[];
  csrfToken: string;
  /** The language the pages render in: the user's choice, else the merchant's default. */
  locale: string;
  dir: "ltr" | "rtl";
  /** Language, direction, digits, rial/toman, calendar and zone: app/root.tsx hands them to I18nProvider. */
  prefs: Preferences;
}

export const APP_ROUTE_ID = "routes/_app";
