import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "~/components/nonce";
import { anonymousPreferences, type Preferences } from "~/lib/i18n/preferences";
import { I18nProvider, useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import stylesHref from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesHref },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/**
 * The reader's preferences: the deepest route whose loader returns `prefs` decides
 * (routes/_app for signed-in pages, public pages such as login their own), else English.
 */
function prefsOf(matches: readonly { data?: unknown }[]): Preferences {
  for (let i = matches.length - 1; i >= 0; i--) {
    const data = matches[i]?.data as { prefs?: Preferences } | null | undefined;
    if (data && typeof data === "object" && data.prefs && typeof data.prefs.locale === "string") return data.prefs;
  }
  return anonymousPreferences();
}

export const meta: MetaFunction = ({ matches }) => [
  { title: translate(prefsOf(matches).locale, "app.name") },
  { name: "viewport", content: "width=device-width, initial-scale=1" },
];

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const prefs = prefsOf(useMatches());
  return (
    <html lang={prefs.locale} dir={prefs.dir}>
      <head>
        <meta charSet="utf-8" />
        <Meta />
        <Links />
      </head>
      <body>
        <I18nProvider prefs={prefs}>{children}</I18nProvider>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : error.statusText
    : t("error.tryAgainLater");
  return (
    <main className="error-page">
      <h1>{status === 404 ? t("error.pageNotFound") : status === 403 ? t("error.notAllowed") : t("error.somethingWrong")}</h1>
      <p>{message}</p>
      <p>
        <a href="/">{t("error.goToConsole")}</a>
      </p>
    </main>
  );
}
