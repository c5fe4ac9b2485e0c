/**
 * What the server (app/server/api-routes.ts) and the API's JSON edge (json.server.ts) hand
 * each other beside the Fetch objects, so neither a web stream nor a second copy is made
 * for a few hundred bytes of JSON:
 * - the request body the server read straight from Node's request (bounded: past the limit
 *   only the fact that it was too large is kept), which readJsonBody takes instead of
 *   reading `request.body`;
 * - the JSON text apiJson made a Response of, which the server writes with one `res.end`
 *   instead of reading the Response's stream.
 * The server runs from source (tsx) and the edge from the build: two copies of this module,
 * so the keys are Symbol.for's, the same in both. Anything without a handoff is read and
 * written through its stream as before.
 */
const BODY = Symbol.for("merchant-console.edge.body");
const TEXT = Symbol.for("merchant-console.edge.text");

/** The body as read: its bytes, "too_large" (past the reader's limit), or the error that ended the read. */
export type HandedBody = Buffer | "too_large" | Error;

export function handBody(request: Request, body: HandedBody): Request {
  (request as unknown as Record<symbol, HandedBody>)[BODY] = body;
  return request;
}

export function handedBody(request: Request): HandedBody | undefined {
  return (request as unknown as Record<symbol, HandedBody | undefined>)[BODY];
}

export function handText(response: Response, text: string): Response {
  (response as unknown as Record<symbol, string>)[TEXT] = text;
  return response;
}

/** The response's whole body as text when the edge made it from a string and nobody has read it since. */
export function handedText(response: Response): string | undefined {
  const text = (response as unknown as Record<symbol, string | undefined>)[TEXT];
  return text === undefined || response.bodyUsed ? undefined : text;
}
