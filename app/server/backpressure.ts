/**
 * Backpressure from the HTTP socket to an export's database reads.
 *
 * Remix's Node adapter copies a response body to the socket with `res.write()` and
 * ignores its return value, so a slow client (or a slow gzip stream in front of it)
 * would let the export read the whole table into the socket's buffer. The server
 * (app/server/main.ts) hands loaders this hook in the load context; an export awaits it
 * before reading its next batch, and it resolves once the last write has drained.
 *
 * Wrapping `res.write` (rather than polling `writableNeedDrain`) keeps it right under
 * the compression middleware too: its `write` reports the gzip stream's state, and its
 * `on("drain")` listens on that stream.
 */
import type { ServerResponse } from "node:http";
import type { WaitForClient } from "../modules/exports/export.server";

export function responseBackpressure(res: ServerResponse): WaitForClient {
  let blocked = false;
  let waiters: (() => void)[] = [];
  const release = () => {
    blocked = false;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const write = res.write;
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    const ok = (write as (...a: unknown[]) => boolean).apply(this, args);
    if (!ok) blocked = true;
    return ok;
  } as typeof res.write;
  res.on("drain", release);
  res.on("close", release);
  return () => (blocked && !res.destroyed ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve());
}
