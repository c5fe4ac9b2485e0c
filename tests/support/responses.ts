/**
 * What a route's loader or action answered, for tests that call them directly: Remix
 * throws redirects and refusals as Responses, and returns the rest.
 */

/** The Response the call answered with, returned or thrown; fails the test on anything else. */
export async function settle(p: unknown): Promise<Response> {
  try {
    const v = await p;
    if (v instanceof Response) return v;
    throw new Error("expected a Response");
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

/** The Response the call threw (a redirect or a refusal); fails the test when it did not throw one. */
export async function thrown(p: Promise<unknown>): Promise<Response> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
  throw new Error("expected a thrown Response");
}

/** Reads a body to its end (after an abort or a cancel): answers how many chunks were still in it. */
export async function chunksLeft(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<number> {
  let more = 0;
  for (;;) {
    const { done } = await reader.read();
    if (done) return more;
    more++;
  }
}

/** Calls a route's loader or action (`fn`) with the request and URL params; answers its Response, returned or thrown. */
export async function call(fn: unknown, request: Request, params: Record<string, string>): Promise<Response> {
  try {
    return (await (fn as (a: unknown) => Promise<Response>)({ request, params, context: {} })) as Response;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

/** A Response's JSON body, untyped: the tests assert its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const body = (r: Response): Promise<any> => r.json();
