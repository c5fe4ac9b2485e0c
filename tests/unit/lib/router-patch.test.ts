/**
 * patches/@remix-run+router+*.patch is applied by `npm ci` (postinstall: patch-package).
 * Without it every page flattens, ranks and compiles every route four times; this
 * fails when an install skipped the patch (for example `--ignore-scripts`).
 */
import { createRequire } from "node:module";
import fs from "node:fs";
import { describe, expect, it } from "vitest";

describe("@remix-run/router patch", () => {
  it("is applied to the router the server loads, and routes still match", () => {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@remix-run/router");
    expect(fs.readFileSync(file, "utf8")).toContain("Merchant Console patch");
    const router = require("@remix-run/router") as typeof import("@remix-run/router");
    const routes = [{ id: "root", path: "/", children: [{ id: "payments", path: "payments" }, { id: "payment", path: "payments/:id" }, { id: "index", index: true }] }];
    const ids = (p: string) => router.matchRoutes(routes, p)?.map((m) => [m.route.id, m.params]);
    for (let i = 0; i < 2; i++) {
      expect(ids("/")).toEqual([["root", {}], ["index", {}]]);
      expect(ids("/payments")).toEqual([["root", {}], ["payments", {}]]);
      expect(ids("/payments/pay_1")).toEqual([["root", { id: "pay_1" }], ["payment", { id: "pay_1" }]]);
      expect(ids("/nope")).toBeUndefined();
    }
  });
});
