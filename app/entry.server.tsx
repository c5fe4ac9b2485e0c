import { Transform } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "~/components/nonce";
import { isDatabaseUnavailable } from "~/web/edge/unavailable.server";

const ABORT_DELAY = 5_000;

/**
 * Errors of loaders and actions. A lost database connection is flagged on the request's
 * load context, and the server answers 503 ("briefly unavailable, nothing was lost")
 * instead of the 500 Remix would send (app/server/main.ts); it is logged as one line, not
 * a stack per request while the database restarts.
 */
export function handleError(error: unknown, { request, context }: { request: Request; context: AppLoadContext }) {
  if (request.signal.aborted) return;
  if (isDatabaseUnavailable(error)) {
    (context as { databaseUnavailable?: boolean }).databaseUnavailable = true;
    console.error(`database unavailable: ${request.method} ${new URL(request.url).pathname}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    return;
  }
  // A URL no route matches is a visitor's typo or a stale link, not a fault: one line, no stack.
  if (isRouteErrorResponse(error) && error.status === 404) {
    console.warn(`404 ${request.method} ${new URL(request.url).pathname}`);
    return;
  }
  console.error(error);
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = (loadContext as { cspNonce?: string }).cspNonce;
  const bot = isbot(request.headers.get("user-agent") ?? "");
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [bot ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = coalescing();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * React writes a document in hundreds of small chunks; the compression middleware
 * compresses each write separately (a round trip to zlib's thread pool each). Chunks
 * written in the same turn of the event loop go out as one: the whole document when
 * nothing suspends, and streamed Suspense boundaries still flush as they resolve.
 */
function coalescing(): Transform {
  let parts: Buffer[] = [];
  let scheduled = false;
  const out: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          if (parts.length && !out.writableFinished) {
            out.push(Buffer.concat(parts));
            parts = [];
          }
        });
      }
      done();
    },
    flush(done) {
      if (parts.length) this.push(Buffer.concat(parts));
      parts = [];
      done();
    },
  });
  return out;
}
