import { Form, NavLink, useLocation, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { CsrfInput } from "~/components/csrf";
import type { MessageKey } from "~/lib/i18n/en";
import { LOCALES, LOCALE_AUTONYMS, localeDir } from "~/lib/i18n/locales";
import { useI18n, useT } from "~/lib/i18n/react";
import { can, type Permission, type Role } from "~/lib/permissions";
import { useStackedTables } from "~/components/stack-tables";
import { SearchDialog, SearchTrigger } from "~/components/search-dialog";

export interface ShellData {
  user: { id: string; email: string; name: string };
  merchant: { id: string; name: string; currency: string; timeZone: string; status: string };
  role: Role;
  memberships: { merchantId: string; merchantName: string; role: Role }[];
  csrfToken: string;
}

interface NavItem {
  to: string;
  /** Catalog key of the link text. */
  label: MessageKey;
  permission: Permission | null;
  end?: boolean;
}

// Order follows a day's work: money in, money back, money out, then setup.
export const NAV_ITEMS: NavItem[] = [
  { to: "/", label: "nav.overview", permission: "overview:view", end: true },
  { to: "/payments", label: "nav.payments", permission: "payments:view" },
  { to: "/refunds", label: "nav.refunds", permission: "payments:view" },
  { to: "/payouts", label: "nav.payouts", permission: "payouts:view" },
  { to: "/terminal", label: "nav.terminal", permission: "terminal:charge" },
  { to: "/links", label: "nav.links", permission: "links:manage" },
  { to: "/subscriptions", label: "nav.subscriptions", permission: "subscriptions:view" },
  { to: "/customers", label: "nav.customers", permission: "subscriptions:view" },
  { to: "/plans", label: "nav.plans", permission: "subscriptions:view" },
  { to: "/terminals", label: "nav.terminals", permission: "terminals:manage" },
  { to: "/staff", label: "nav.staff", permission: "staff:manage" },
  { to: "/reports", label: "nav.reports", permission: "reports:export", end: true },
  { to: "/reports/schedules", label: "nav.schedules", permission: "reports:export" },
  { to: "/statements", label: "nav.statements", permission: "reports:export" },
  { to: "/close", label: "nav.close", permission: "reports:export" },
  { to: "/audit", label: "nav.audit", permission: "audit:view" },
  { to: "/events", label: "nav.events", permission: "developers:manage" },
  { to: "/webhooks", label: "nav.webhooks", permission: "developers:manage" },
  { to: "/settings", label: "nav.settings", permission: "settings:manage" },
];

/** A merchant still onboarding gets its checklist first, for those who can finish it. */
const ONBOARDING_ITEM: NavItem = { to: "/onboarding", label: "nav.onboarding", permission: "settings:manage" };

export function visibleNav(role: Role, merchantStatus = "active"): NavItem[] {
  const items = merchantStatus === "pending" ? [ONBOARDING_ITEM, ...NAV_ITEMS] : NAV_ITEMS;
  return items.filter((item) => item.permission === null || can(role, item.permission));
}

/**
 * One button per other language (two languages: one button), named in that language
 * so a reader who does not understand the current one can still find theirs.
 */
export function LanguageSwitcher({ csrfToken }: { csrfToken: string }) {
  const t = useT();
  const { prefs } = useI18n();
  const location = useLocation();
  return (
    <Form method="post" action="/preferences" className="language-switcher">
      <CsrfInput token={csrfToken} />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      {LOCALES.filter((l) => l !== prefs.locale).map((l) => (
        <button
          key={l}
          type="submit"
          name="locale"
          value={l}
          className="btn-link"
          lang={l}
          dir={localeDir(l)}
          title={t("shell.switchLanguageTo", { language: LOCALE_AUTONYMS[l] })}
        >
          {LOCALE_AUTONYMS[l]}
        </button>
      ))}
    </Form>
  );
}

export function AppShell({ shell, children }: { shell: ShellData; children: ReactNode }) {
  const t = useT();
  const navigation = useNavigation();
  const items = visibleNav(shell.role, shell.merchant.status);
  useStackedTables();
  const switching = navigation.state !== "idle" && navigation.formAction === "/switch-merchant";
  // The brand and the main links stand twice: in the phone's top bar and menu, and in the sidebar.
  const brand = (
    <a className="brand" href="/">
      <img src="/favicon.svg" alt="" /> {t("app.name")}
    </a>
  );
  const navLinks = items.map((item) => (
    <NavLink key={item.to} to={item.to} end={item.end} prefetch="intent">
      {t(item.label)}
    </NavLink>
  ));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("shell.skipToContent")}
      </a>
      {navigation.state !== "idle" ? <div className="pending-bar" role="progressbar" aria-label={t("shell.loading")} /> : null}
      <header className="topbar">
        {brand}
        <SearchTrigger />
        <details>
          <summary>{t("shell.menu")}</summary>
          <nav aria-label={t("shell.mainNavMobile")} className="nav">
            {navLinks}
            <NavLink to="/settings/security">{t("nav.security")}</NavLink>
            <NavLink to="/settings/notifications">{t("nav.notifications")}</NavLink>
          </nav>
          <LanguageSwitcher csrfToken={shell.csrfToken} />
        </details>
      </header>
      <aside className="sidebar">
        <div className="sidebar-inner">
          {brand}
          {/* The merchant whose figures the page shows is named as text; another is chosen and
              confirmed with a button (no switch on a mere change of the list, works without scripts). */}
          <div>
            <div className="sidebar-merchant">{shell.merchant.name}</div>
            <div className="sidebar-role">{t(`role.${shell.role}`)}</div>
          </div>
          {shell.memberships.length > 1 ? (
            <Form method="post" action="/switch-merchant" className="merchant-switcher">
              <CsrfInput token={shell.csrfToken} />
              <label htmlFor="merchant-switcher">{t("shell.switchTo")}</label>
              <div className="merchant-switcher-row">
                <select id="merchant-switcher" name="merchantId" defaultValue="" required>
                  <option value="" disabled>
                    {t("shell.chooseMerchant")}
                  </option>
                  {shell.memberships
                    .filter((m) => m.merchantId !== shell.merchant.id)
                    .map((m) => (
                      <option key={m.merchantId} value={m.merchantId}>
                        {t("shell.merchantWithRole", { merchant: m.merchantName, role: t(`role.${m.role}`) })}
                      </option>
                    ))}
                </select>
                <button type="submit" className="btn btn-switch" disabled={switching}>
                  {t("shell.switchMerchant")}
                </button>
              </div>
            </Form>
          ) : null}
          <SearchTrigger />
          <nav aria-label={t("shell.mainNav")} className="nav">
            {navLinks}
          </nav>
          <div className="sidebar-footer">
            <span title={shell.user.email}>{shell.user.name}</span>
            <NavLink to="/settings/security">{t("nav.security")}</NavLink>
            <NavLink to="/settings/notifications">{t("nav.notifications")}</NavLink>
            <LanguageSwitcher csrfToken={shell.csrfToken} />
            <Form method="post" action="/logout">
              <CsrfInput token={shell.csrfToken} />
              <button type="submit" className="btn-link">
                {t("shell.signOut")}
              </button>
            </Form>
          </div>
        </div>
      </aside>
      <SearchDialog />
      <main id="main" className="content" aria-busy={switching || undefined}>
        {/* While switching, the old merchant's figures leave the page at once. */}
        {switching ? <p className="notice" role="status">{t("shell.switching")}</p> : children}
      </main>
    </div>
  );
}
