/**
 * The one permission matrix. The server checks it in every loader, action, API
 * route and export (app/modules/access); the UI reads the same table only to hide
 * what the server would refuse anyway.
 */
import { ROLES, type Role } from "~/lib/vocabulary";

export { ROLES, type Role };

export const PERMISSIONS = {
  "overview:view": "View the overview (revenue, trends)",
  "payments:view": "View payments and refunds",
  "cards:view": "View card details (BIN and last 4 digits at most)",
  "refunds:create": "Issue refunds (support up to the per-refund limit)",
  "terminal:charge": "Charge cards in the virtual terminal",
  "links:manage": "Create, share and deactivate payment links",
  "payouts:view": "View payouts and balances",
  "payouts:cancel": "Cancel a payout before it is sent to the bank",
  "reports:export": "Export reports",
  "terminals:manage": "Manage terminals and API keys",
  "staff:manage": "Manage staff",
  "bank:manage": "Manage the bank account",
  "settings:manage": "Manage settings and security",
  "audit:view": "View the audit log",
  "developers:manage": "Events and webhook endpoints",
  "views:share": "Share saved views with the team",
  "subscriptions:view": "View customers, plans, subscriptions and invoices",
  "customers:manage": "Create and edit customers, subscribe them, remove saved cards",
  "subscriptions:manage": "Cancel, pause, resume and retry subscriptions",
  "plans:manage": "Create plans",
} as const;
export type Permission = keyof typeof PERMISSIONS;

const ALL = Object.keys(PERMISSIONS) as Permission[];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ALL,
  admin: ALL.filter((p) => p !== "bank:manage" && p !== "payouts:cancel"),
  support: ["payments:view", "cards:view", "refunds:create", "terminal:charge", "links:manage", "subscriptions:view", "customers:manage", "subscriptions:manage"],
  accountant: ["overview:view", "payments:view", "cards:view", "payouts:view", "reports:export", "views:share", "subscriptions:view"],
  viewer: ["overview:view", "payments:view", "payouts:view", "subscriptions:view"],
};

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Administrator",
  support: "Support",
  accountant: "Accountant",
  viewer: "View only",
};

export function can(role: Role | null | undefined, permission: Permission): boolean {
  return !!role && ROLE_PERMISSIONS[role].includes(permission);
}

/** Roles whose refunds are not capped by the merchant's support limit. */
export function refundsUncapped(role: Role): boolean {
  return role === "owner" || role === "admin";
}

/** The first page a role may open: where sign-in and the merchant switcher land. */
export function homePath(role: Role): string {
  if (can(role, "overview:view")) return "/";
  if (can(role, "payments:view")) return "/payments";
  return "/settings/security";
}
