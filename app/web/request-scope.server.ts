/**
 * A store that lives as long as one HTTP request, shared by every loader of it.
 *
 * Remix hands each loader of a navigation its own copy of the Request (it strips the
 * `index`/`_data` parameters), so the parent layout and the page resolve the same
 * session separately unless something outlives one Request object. The server
 * (app/server/main.ts) runs each GET in `requestScope().run(new Map(), ...)`; code
 * inside reads `requestScope().getStore()`. Only safe reads belong here: a POST runs
 * its action before the loaders, and the loaders must see what the action changed,
 * so the server opens no scope for anything but GET and HEAD.
 *
 * It sits on globalThis because the server and the Remix build load this file as two
 * separate modules.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const KEY = Symbol.for("merchant-console.request-scope");

export function requestScope(): AsyncLocalStorage<Map<unknown, unknown>> {
  const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<Map<unknown, unknown>> | undefined>;
  return (g[KEY] ??= new AsyncLocalStorage<Map<unknown, unknown>>());
}
