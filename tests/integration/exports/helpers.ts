import Papa from "papaparse";
import { expect } from "vitest";
import { as, type SignedIn } from "../../support/auth";
import { parseRfc4180 } from "../../support/rfc4180";
import { loader } from "../../../app/routes/reports.$report";

export interface Download {
  status: number;
  headers: Headers;
  text: string;
  /** The body without its byte-order mark. */
  body: string;
  bom: boolean;
}

/** GET /reports/<name>.csv?... as a signed-in person, through the route's loader. */
export async function download(user: SignedIn, path: string, init: { signal?: AbortSignal } = {}): Promise<Download> {
  const url = new URL(`http://localhost${path}`);
  const report = url.pathname.split("/").pop()!;
  const base = as(user, path);
  const request = init.signal ? new Request(base, { signal: init.signal }) : base;
  let res: Response;
  try {
    res = (await loader({ request, params: { report }, context: {} })) as Response;
  } catch (e) {
    if (!(e instanceof Response)) throw e;
    res = e;
  }
  // Response.text() would drop a byte-order mark; these tests need to see it.
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
  const bom = text.startsWith("\uFEFF");
  return { status: res.status, headers: res.headers, text, body: bom ? text.slice(1) : text, bom };
}

/**
 * Parses an export with papaparse and with the strict RFC 4180 test parser, checks
 * that both read the same records, and returns them as objects keyed by header.
 */
export function readCsv(body: string): { header: string[]; records: Record<string, string>[] } {
  const strict = parseRfc4180(body);
  const papa = Papa.parse<string[]>(body, { newline: "\r\n", delimiter: "," });
  expect(papa.errors).toEqual([]);
  // papaparse reads the CRLF after the last record as one more, empty, row.
  expect(papa.data[papa.data.length - 1]).toEqual([""]);
  expect(papa.data.slice(0, -1)).toEqual(strict);
  const [header, ...data] = strict;
  return {
    header: header!,
    records: data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))),
  };
}

/** "-12.50" in a currency with `exponent` decimals -> -1250n (exact, no floats). */
export function minorOf(decimal: string, exponent: number): bigint {
  expect(decimal).toMatch(exponent === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${exponent}}$`));
  const [int, frac = ""] = decimal.split(".");
  const negative = int!.startsWith("-");
  const digits = BigInt(int!.replace("-", "") + frac.padEnd(exponent, "0"));
  return negative ? -digits : digits;
}
