import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "~/components/nonce";
import stylesHref from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesHref },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [
  { title: "Merchant Console" },
  { name: "viewport", content: "width=device-width, initial-scale=1" },
];

interface ShellLocale {
  locale?: string;
  dir?: "ltr" | "rtl";
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // The signed-in layout decides the language; public pages are English.
  const shell = useRouteLoaderData("routes/_app") as ShellLocale | undefined;
  const lang = shell?.locale ?? "en";
  const dir = shell?.dir ?? (lang.startsWith("fa") ? "rtl" : "ltr");
  return (
    <html lang={lang} dir={dir}>
      <head>
        <meta charSet="utf-8" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
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
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : error.statusText
    : "Something went wrong on our side. Try again in a moment.";
  return (
    <main className="error-page">
      <h1>{status === 404 ? "Page not found" : status === 403 ? "Not allowed" : "Something went wrong"}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Go to the console</a>
      </p>
    </main>
  );
}
