/**
 * patches/postgres+*.patch is applied by `npm ci` (postinstall: patch-package). Without
 * it postgres.js
 * - copies every chunk written to a COPY ... FROM STDIN stream twice (Buffer.concat,
 *   then Buffer.from) before it reaches the socket: gigabytes of allocation, and the
 *   garbage collections that follow, in the benchmark's bulk load and the demo seed;
 * - leaves Nagle's algorithm on (libpq turns it off): a short message sent behind
 *   unacknowledged data, such as the CopyDone after a COPY's last chunk, waits for the
 *   server's delayed acknowledgement, tens of milliseconds per COPY statement.
 * This fails when an install skipped the patch.
 */
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("postgres.js patch", () => {
  it("frames COPY data without copying it and turns Nagle off, in both the ESM and the CommonJS build", () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("postgres");
    const root = entry.slice(0, entry.lastIndexOf(`${path.sep}postgres${path.sep}`) + "/postgres".length);
    for (const file of ["src/connection.js", "cjs/src/connection.js"]) {
      const text = fs.readFileSync(path.join(root, file), "utf8");
      const copyIn = text.slice(text.indexOf("function CopyInResponse"), text.indexOf("function CopyOutResponse"));
      expect(copyIn).toContain("Merchant Console patch");
      expect(copyIn).not.toContain("socket.write(b().d().raw(chunk)");
      const connected = text.slice(text.indexOf("function connected()"), text.indexOf("function connected()") + 600);
      expect(connected).toContain("socket.setNoDelay(true)");
    }
  });
});
