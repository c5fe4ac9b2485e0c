/**
 * The JSON edge every HTTP API of ours shares (the payments API and its siblings, the
 * sandbox provider's HTTP face): JSON responses (bigint as decimal strings, never cached),
 * errors always as { "error": { type, code, message, param } }, the 405 with its Allow
 * header, and a bounded JSON body reader. No authentication, no domain: those are each API's.
 */
import type { Failure } from "~/modules/payments/failure";
import { checkJson, jsonContentTypeProblem } from "./input-guard";
import { handedBody, handText } from "./body-handoff";

/** Largest API request body we read: a payment request is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

type ErrorType = Failure["type"] | "not_found_error";

function toJson(body: unknown): string {
  // The fast path without a replacer; a body with a bigint left in throws there (as jsonOf in events).
  try {
    return JSON.stringify(body);
  } catch {
    return JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  }
}

export function apiJson(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = toJson(body);
  return handText(new Response(text, {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      ...headers,
    },
  }), text);
}

export function errorBody(type: ErrorType | string, code: string, message: string, param: string | null = null, extra: Record<string, unknown> = {}) {
  return { error: { type, code, message, param, ...extra } };
}

export function apiError(
  status: number,
  type: ErrorType | string,
  code: string,
  message: string,
  param: string | null = null,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return apiJson(status, errorBody(type, code, message, param, extra), headers);
}

export function failureBody(f: Failure & { refundable?: bigint }) {
  return errorBody(f.type, f.code, f.message, f.param, {
    ...(f.details ?? {}),
    ...(f.refundable !== undefined ? { refundable: f.refundable.toString() } : {}),
  });
}

export function methodNotAllowed(allow: string[]): Response {
  return apiError(405, "invalid_request_error", "method_not_allowed", `Use ${allow.join(" or ")} on this endpoint.`, null, {}, {
    Allow: allow.join(", "),
  });
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES, counting what actually arrives (a
 * client may lie in Content-Length or stream without one). An empty body is `undefined`.
 * A body the server has already read (body-handoff.ts, with the same limit) is taken as read.
 */
export async function readJsonBody(request: Request): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  const typeProblem = jsonContentTypeProblem(request.headers.get("content-type"));
  if (typeProblem) {
    return { ok: false, response: apiError(415, "invalid_request_error", "unsupported_media_type", typeProblem, "Content-Type") };
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  const tooLarge = () =>
    apiError(413, "invalid_request_error", "body_too_large", `The request body must be at most ${MAX_BODY_BYTES} bytes.`, "body");
  if (declared > MAX_BODY_BYTES) return { ok: false, response: tooLarge() };
  let text = "";
  const handed = handedBody(request);
  if (handed === "too_large") return { ok: false, response: tooLarge() };
  if (handed instanceof Error) throw handed;
  if (handed) text = handed.toString("utf8");
  else if (request.body) {
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        return { ok: false, response: tooLarge() };
      }
      chunks.push(value);
    }
    text = Buffer.concat(chunks).toString("utf8");
  }
  if (text.trim() === "") return { ok: true, body: undefined };
  try {
    const body: unknown = JSON.parse(text);
    const problem = checkJson(body);
    if (problem) return { ok: false, response: apiError(400, "invalid_request_error", "parameter_invalid", problem.message, problem.field) };
    return { ok: true, body };
  } catch (e) {
    return {
      ok: false,
      response: apiError(400, "invalid_request_error", "json_invalid", `The body is not valid JSON: ${(e as Error).message.slice(0, 120)}`, "body"),
    };
  }
}

