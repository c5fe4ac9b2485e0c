import { Readable } from "node:stream";
import fc from "fast-check";
import { crlfRecords, gatherRecords } from "../../../app/modules/exports/copy.server";

/**
 * COPY ends records with LF, the exports with CRLF: only record terminators change, never
 * an LF (or CR) inside a quoted field, and every record is counted once, however the bytes
 * come: one record per CopyData message (what the server sends), or cut anywhere.
 */

const field = fc.oneof(
  fc.constantFrom("", "plain", "12.50", "2025-03-21 00:10:00"),
  fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r", " ", "ق", "\uFEFF"), maxLength: 12 }),
);
const table = fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 30 });

/** One record as COPY writes it (every field quoted, as FORCE_QUOTE does), with the given terminator. */
function record(fields: string[], end: string): string {
  return fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(",") + end;
}

/** Cuts `bytes` at the given fractions of its length. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(bytes.subarray(from, p));
    from = p;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** Whether `lf` (COPY output up to a point) ends outside any quoted field. */
function crlfEndsRecord(lf: Buffer): boolean {
  const scan = crlfRecords();
  scan(lf);
  return !scan.inQuotes();
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe("crlfRecords", () => {
  it("turns record terminators into CRLF and counts them, wherever the chunks are cut", () => {
    fc.assert(
      fc.property(table, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (rows, at) => {
        const lf = Buffer.from(rows.map((r) => record(r, "\n")).join(""));
        const crlf = rows.map((r) => record(r, "\r\n")).join("");
        const convert = crlfRecords();
        let records = 0;
        const out = cut(lf, at).map((part) => {
          const r = convert(part);
          records += r.records;
          return Buffer.from(r.bytes);
        });
        expect(Buffer.concat(out).toString()).toBe(crlf);
        expect(records).toBe(rows.length);
      }),
    );
  });
});

describe("gatherRecords", () => {
  function feed(messages: Buffer[]): { stream: Readable; sizes: { bytes: number; records: number }[] } {
    const stream = new Readable({ read() {} });
    const sizes: { bytes: number; records: number }[] = [];
    gatherRecords(stream, sizes);
    for (const m of messages) stream.push(m);
    stream.push(null);
    return { stream, sizes };
  }

  it("one record per message (as the server sends them): CRLF endings, 64 KB chunks, every record counted", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [`pay_${i}`, i % 7 === 0 ? 'line one\nline "two"\r\nthree' : "x".repeat(i % 50), `${i}.00`]);
    const { stream, sizes } = feed(rows.map((r) => Buffer.from(record(r, "\n"))));
    const out = await readAll(stream);
    expect(out.toString()).toBe(rows.map((r) => record(r, "\r\n")).join(""));
    expect(sizes.reduce((n, s) => n + s.records, 0)).toBe(rows.length);
    expect(sizes.reduce((n, s) => n + s.bytes, 0)).toBe(out.length);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes.map((s) => s.bytes))).toBeLessThanOrEqual(64 * 1024);
  });

  it("messages of several records, or of parts of records (never sent by the server), still come out right", () => {
    return fc.assert(
      fc.asyncProperty(table, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), async (rows, at) => {
        const lf = Buffer.from(rows.map((r) => record(r, "\n")).join(""));
        // Cut anywhere but just after an LF inside a field: a message ending there would
        // look like one whole record to the fast path (the protocol rules that out).
        const messages = cut(lf, at).filter((m) => m.length > 0);
        fc.pre(messages.every((m, i) => i === messages.length - 1 || m[m.length - 1] !== 0x0a || crlfEndsRecord(Buffer.concat(messages.slice(0, i + 1)))));
        const { stream, sizes } = feed(messages);
        const out = await readAll(stream);
        expect(out.toString()).toBe(rows.map((r) => record(r, "\r\n")).join(""));
        expect(sizes.reduce((n, s) => n + s.records, 0)).toBe(rows.length);
      }),
      { numRuns: 200 },
    );
  });

  it("a full stream still tells postgres.js to pause, and never leaves it paused without a push", () => {
    const stream = new Readable({ read() {}, highWaterMark: 16 * 1024 });
    gatherRecords(stream, []);
    const row = Buffer.from(record(["x".repeat(200)], "\n"));
    const answers: boolean[] = [];
    for (let i = 0; i < 1000; i++) answers.push(stream.push(row));
    // Gathering says "more" until a 64 KB chunk goes out into a 16 KB stream.
    const firstFalse = answers.indexOf(false);
    expect(firstFalse).toBeGreaterThan(100);
    expect(answers.slice(0, firstFalse).every(Boolean)).toBe(true);
    expect(answers[firstFalse + 1]).toBe(true);
  });
});
