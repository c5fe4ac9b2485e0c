/**
 * patches/postgres+*.patch is applied by `npm ci` (postinstall: patch-package). Without
 * it postgres.js
 * - copies every chunk written to a COPY ... FROM STDIN stream twice (Buffer.concat,
 *   then Buffer.from) before it reaches the socket: gigabytes of allocation, and the
 *   garbage collections that follow, in the benchmark's bulk load and the demo seed;
 * - ends the process when the database restarts: a deferred write finds the socket gone
 *   and throws an uncaught TypeError in nextWrite (upstream porsager/postgres#1154, #1208;
 *   tests/e2e/db-restart.e2e.ts is the whole story);
 * - waits forever on a COPY ... FROM STDIN the server refuses after the stream ended
 *   (tests/integration/db/copy-formats.test.ts).
 * (TCP_NODELAY is set through the driver's documented `socket` option in db/client.server.ts.)
 * This fails when an install skipped the patch.
 */
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("postgres.js patch", () => {
  it("frames COPY data without copying it and survives a lost socket, in both the ESM and the CommonJS build", () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("postgres");
    const root = entry.slice(0, entry.lastIndexOf(`${path.sep}postgres${path.sep}`) + "/postgres".length);
    for (const file of ["src/connection.js", "cjs/src/connection.js"]) {
      const text = fs.readFileSync(path.join(root, file), "utf8");
      const copyIn = text.slice(text.indexOf("function CopyInResponse"), text.indexOf("function CopyOutResponse"));
      expect(copyIn).toContain("Merchant Console patch");
      expect(copyIn).not.toContain("socket.write(b().d().raw(chunk)");
      const nextWrite = text.slice(text.indexOf("function nextWrite("), text.indexOf("function connectTimedOut("));
      expect(nextWrite).toContain("if (!socket) {");
      expect(nextWrite).toContain("CONNECTION_CLOSED");
      const errored = text.slice(text.indexOf("function errored("), text.indexOf("function queryError("));
      expect(errored).toContain("final && (final(err), final = null)");
    }
  });
});
