import type { Preferences } from "./i18n/preferences";
import type { Permission, Role } from "./permissions";

/**
 * What the signed-in layout route (routes/_app) hands the page shell and its
 * children: JSON-safe (money as decimal strings).
 */
export interface ShellData {
  user: {
    id: string;
    email: string;
    name: string;
    locale: string | null;
    digits: string | null;
    irrDisplay: string | null;
    twoFactorEnabled: boolean;
  };
  merchant: {
    id: string;
    name: string;
    currency: string;
    timeZone: string;
    status: string;
    defaultLocale: string;
    country: string;
    supportRefundLimit: string;
    require2fa: boolean;
  };
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
