import { useRouteLoaderData } from "@remix-run/react";
import { APP_ROUTE_ID, type ShellData } from "~/lib/shell";

/** The session's anti-CSRF token; every state-changing form includes it. */
export function useCsrfToken(): string {
  const shell = useRouteLoaderData(APP_ROUTE_ID) as ShellData | undefined;
  return shell?.csrfToken ?? "";
}

export function CsrfInput({ token }: { token?: string }) {
  const fromShell = useCsrfToken();
  return <input type="hidden" name="_csrf" value={token ?? fromShell} />;
}
