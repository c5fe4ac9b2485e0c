import { Form, NavLink, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { can, ROLE_LABELS, type Permission, type Role } from "~/lib/permissions";

export interface ShellData {
  user: { id: string; email: string; name: string };
  merchant: { id: string; name: string; currency: string; timeZone: string; status: string };
  role: Role;
  memberships: { merchantId: string; merchantName: string; role: Role }[];
  csrfToken: string;
}

interface NavItem {
  to: string;
  label: string;
  permission: Permission | null;
  end?: boolean;
}

// Order follows a day's work: money in, money back, money out, then setup.
export const NAV_ITEMS: NavItem[] = [
  { to: "/", label: "Overview", permission: "overview:view", end: true },
  { to: "/payments", label: "Payments", permission: "payments:view" },
  { to: "/refunds", label: "Refunds", permission: "payments:view" },
  { to: "/payouts", label: "Payouts", permission: "payouts:view" },
  { to: "/terminal", label: "Virtual terminal", permission: "terminal:charge" },
  { to: "/terminals", label: "Terminals", permission: "terminals:manage" },
  { to: "/staff", label: "Staff", permission: "staff:manage" },
  { to: "/reports", label: "Reports", permission: "reports:export" },
  { to: "/audit", label: "Audit log", permission: "audit:view" },
  { to: "/settings", label: "Settings", permission: "settings:manage" },
];

export function visibleNav(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.permission === null || can(role, item.permission));
}

export function AppShell({ shell, children }: { shell: ShellData; children: ReactNode }) {
  const navigation = useNavigation();
  const items = visibleNav(shell.role);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {navigation.state !== "idle" ? <div className="pending-bar" role="progressbar" aria-label="Loading" /> : null}
      <header className="topbar">
        <a className="brand" href="/">
          <img src="/favicon.svg" alt="" /> Merchant Console
        </a>
        <details>
          <summary>Menu</summary>
          <nav aria-label="Main (mobile)" className="nav">
            {items.map((item) => (
              <NavLink key={item.to} to={item.to} end={item.end} prefetch="intent">
                {item.label}
              </NavLink>
            ))}
            <NavLink to="/settings/security">Security</NavLink>
          </nav>
        </details>
      </header>
      <aside className="sidebar">
        <a className="brand" href="/">
          <img src="/favicon.svg" alt="" /> Merchant Console
        </a>
        {shell.memberships.length > 1 ? (
          <Form method="post" action="/switch-merchant" className="merchant-switcher">
            <input type="hidden" name="_csrf" value={shell.csrfToken} />
            <label htmlFor="merchant-switcher">Merchant</label>
            <select
              id="merchant-switcher"
              name="merchantId"
              defaultValue={shell.merchant.id}
              onChange={(e) => e.currentTarget.form?.requestSubmit()}
            >
              {shell.memberships.map((m) => (
                <option key={m.merchantId} value={m.merchantId}>
                  {m.merchantName} ({ROLE_LABELS[m.role]})
                </option>
              ))}
            </select>
            <noscript>
              <button type="submit" className="btn">
                Switch
              </button>
            </noscript>
          </Form>
        ) : (
          <div>
            <div style={{ color: "#fff", fontWeight: 600 }}>{shell.merchant.name}</div>
            <div style={{ fontSize: "0.8rem" }}>{ROLE_LABELS[shell.role]}</div>
          </div>
        )}
        <nav aria-label="Main" className="nav">
          {items.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.end} prefetch="intent">
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-footer">
          <span title={shell.user.email}>{shell.user.name}</span>
          <NavLink to="/settings/security">Security</NavLink>
          <Form method="post" action="/logout">
            <input type="hidden" name="_csrf" value={shell.csrfToken} />
            <button type="submit" className="btn-link">
              Sign out
            </button>
          </Form>
        </div>
      </aside>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}
