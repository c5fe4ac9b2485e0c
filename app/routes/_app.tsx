import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { AppShell } from "~/components/app-shell";
import { RouteErrorBoundary } from "~/components/route-error";
import { APP_ROUTE_ID, type ShellData } from "~/lib/shell";
import { requireContext } from "~/web/guard.server";
import { resolvePreferences } from "~/modules/i18n/preferences.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const prefs = resolvePreferences(ctx);
  const shell: ShellData = {
    user: ctx.user,
    merchant: { ...ctx.merchant, supportRefundLimit: ctx.merchant.supportRefundLimit.toString() },
    role: ctx.role,
    permissions: ctx.permissions,
    memberships: ctx.memberships,
    csrfToken: ctx.session.csrfToken,
    locale: prefs.locale,
    dir: prefs.dir,
    prefs,
  };
  // Signed-in pages are personal: never let a shared cache keep them.
  return json(shell, { headers: { "Cache-Control": "private, no-store" } });
}

// Pages below inherit this unless they set their own.
export const headers: HeadersFunction = ({ loaderHeaders }) => ({
  "Cache-Control": loaderHeaders.get("Cache-Control") ?? "private, no-store",
});

export default function SignedInLayout() {
  const shell = useLoaderData<typeof loader>() as ShellData;
  return (
    <AppShell shell={shell}>
      <Outlet />
    </AppShell>
  );
}

// A child's refusal without its own boundary still renders inside the shell.
export function ErrorBoundary() {
  const shell = useRouteLoaderData(APP_ROUTE_ID) as ShellData | undefined;
  if (!shell) return <RouteErrorBoundary />;
  return (
    <AppShell shell={shell}>
      <RouteErrorBoundary />
    </AppShell>
  );
}
