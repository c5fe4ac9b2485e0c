/**
 * A download whose database goes away after its first bytes were sent. The file must not
 * end as if it were complete: the server cuts the HTTP transfer off (the client sees an
 * incomplete body, a browser marks the download failed) and the audit trail records the
 * download as stopped by an error. Served through our own adapter (sendRemixResponse)
 * and the compression middleware, as app/server/main.ts serves it; the fault is real:
 * the test database stops taking connections and every connection to it is terminated
 * between two batches. (The download's audit entry cannot be written then: the server's
 * log names it.)
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import compression from "compression";
import express from "express";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { useTestDatabase } from "../../support/db";
import { signIn, type SignedIn } from "../../support/auth";
import { rows } from "../../../db/client.server";
import { exportReport } from "../../../app/web/exports/download.server";
import { getOptionalContext } from "../../../app/web/guard.server";
import { createRemixRequest, sendRemixResponse } from "../../../app/server/remix-adapter";

const t = useTestDatabase({ seed: "demo" });
const real = !!process.env.TEST_DATABASE_URL;

let accountant: SignedIn;
let server: http.Server;
let base: string;
/** The next download's pulls wait on this once it is set (the fault is injected meanwhile). */
let gate: { after: number; pulls: number; paused: () => void; release: Promise<void> } | null = null;
let options: { copy: boolean; format: "csv" | "xlsx" } = { copy: false, format: "csv" };
const serverErrors: string[] = [];

beforeAll(async () => {
  accountant = await signIn("accountant@coffee.test");
  const app = express();
  app.use(compression());
  app.get("/reports/:file", async (req, res, next) => {
    try {
      const request = createRemixRequest(req, res);
      const ctx = (await getOptionalContext(request))!;
      const report = req.params.file!.replace(/\.(csv|xlsx)$/, "") as "payments";
      const response = await exportReport(ctx, report, request, {
        batchSize: 25,
        copy: options.copy,
        format: options.format,
        waitForClient: async () => {
          if (!gate) return;
          gate.pulls++;
          if (gate.pulls === gate.after) {
            gate.paused();
            await gate.release;
          }
        },
      });
      await sendRemixResponse(res, response);
    } catch (e) {
      next(e);
    }
  });
  // As main.ts's last-resort handler: a response under way is cut off, and it is logged.
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    serverErrors.push(`${req.path}: ${error instanceof Error ? error.message : String(error)}`);
    if (res.headersSent) res.destroy();
    else res.status(500).end();
  });
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

/** Cuts the test database off: no new connections, every open one terminated. */
async function databaseGoesAway(): Promise<() => Promise<void>> {
  const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
  const name = new URL(t.url!).pathname.slice(1);
  await admin.unsafe(`alter database "${name}" allow_connections false`);
  await admin.unsafe(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
  return async () => {
    await admin.unsafe(`alter database "${name}" allow_connections true`);
    await admin.end();
  };
}

interface Received {
  status: number;
  bytes: Buffer;
  /** How the body ended: "end" (the server said it was complete) or the error the client got. */
  ending: string;
}

/** GET with a plain HTTP client that reports exactly how the body ended. */
function get(path: string): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers: { cookie: accountant.cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, bytes: Buffer.concat(chunks), ending: res.complete ? "end" : "incomplete" }));
      res.on("aborted", () => resolve({ status: res.statusCode!, bytes: Buffer.concat(chunks), ending: "aborted" }));
      res.on("error", (e) => resolve({ status: res.statusCode!, bytes: Buffer.concat(chunks), ending: `error: ${e.message}` }));
    });
    req.on("error", reject);
  });
}

async function downloadWithFault(path: string, opts: typeof options, after = 4): Promise<Received> {
  options = opts;
  let paused!: () => void;
  const pausedP = new Promise<void>((r) => (paused = r));
  let release!: () => void;
  gate = { after, pulls: 0, paused: () => paused(), release: new Promise<void>((r) => (release = r)) };
  const result = get(path);
  await pausedP;
  const restore = await databaseGoesAway();
  release();
  try {
    return await result;
  } finally {
    gate = null;
    await restore();
  }
}

describe.skipIf(!real)("a download whose database goes away mid-stream", () => {
  it("CSV: the transfer is cut off (never a clean end), the rows sent are fewer than the file's, and the server logs it", async () => {
    const [{ n }] = (await rows<{ n: number }>(t.db, sql`select count(*)::int n from payments where merchant_id = 'mer_demo_coffee'`)) as [{ n: number }];
    expect(n).toBeGreaterThan(200);
    serverErrors.length = 0;
    const r = await downloadWithFault("/reports/payments.csv?columns=id,amount", { copy: false, format: "csv" });
    expect(r.status).toBe(200);
    expect(r.ending, "the client must see the transfer fail").not.toBe("end");
    const lines = r.bytes.toString("utf8").split("\r\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length - 1).toBeLessThan(n);
    expect(serverErrors.join("\n")).toMatch(/payments\.csv/);
    // (Its audit entry could not be written: the database was gone. The server's log has it.)
    // With the database back, the same download completes: every row, a clean end.
    const whole = await get("/reports/payments.csv?columns=id,amount");
    expect(whole.ending).toBe("end");
    expect(whole.bytes.toString("utf8").split("\r\n").filter(Boolean)).toHaveLength(n + 1);
  });

  it("CSV through COPY: either every row arrives with a clean end, or the transfer fails; never a clean end short of rows", async () => {
    const [{ n }] = (await rows<{ n: number }>(t.db, sql`select count(*)::int n from payments where merchant_id = 'mer_demo_coffee'`)) as [{ n: number }];
    const r = await downloadWithFault("/reports/payments.csv?columns=id,amount", { copy: true, format: "csv" }, 2);
    const lines = r.bytes.toString("utf8").split("\r\n").filter(Boolean);
    if (r.ending === "end") expect(lines).toHaveLength(n + 1);
    else expect(lines.length - 1).toBeLessThan(n);
  });

  it("XLSX: either the whole workbook arrives with a clean end, or the transfer is cut off and no spreadsheet can open what arrived", async () => {
    const [{ n }] = (await rows<{ n: number }>(t.db, sql`select count(*)::int n from payments where merchant_id = 'mer_demo_coffee'`)) as [{ n: number }];
    serverErrors.length = 0;
    const r = await downloadWithFault("/reports/payments.xlsx?columns=id,amount", { copy: false, format: "xlsx" }, 2);
    expect(r.status).toBe(200);
    if (r.ending === "end") {
      // On PostgreSQL the sheet is one COPY: it may all be read before the fault. Then it is whole.
      const book = await new ExcelJS.Workbook().xlsx.load(r.bytes as unknown as ArrayBuffer);
      const ids = book.worksheets[0]!.getColumn(1).values.filter((v) => typeof v === "string" && v.startsWith("pay_"));
      expect(ids).toHaveLength(n);
    } else {
      // A zip without its central directory: not a workbook.
      await expect(new ExcelJS.Workbook().xlsx.load(r.bytes as unknown as ArrayBuffer)).rejects.toThrow();
      expect(serverErrors.join("\n")).toMatch(/payments\.xlsx/);
    }
  });
});
