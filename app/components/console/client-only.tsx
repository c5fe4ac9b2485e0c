import { useSyncExternalStore, type ReactNode } from "react";

const subscribe = () => () => {};

/**
 * False on the server and during hydration, true afterwards. Charts measure the
 * page, which the server cannot: rendering them only in the browser keeps the
 * server HTML and the first client render identical (no hydration warnings).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}

export function ClientOnly({ children, fallback = null }: { children: () => ReactNode; fallback?: ReactNode }) {
  return useHydrated() ? <>{children()}</> : <>{fallback}</>;
}
