/**
 * The generator's fast id (seededIdAt) must give exactly the ids seededId gives: the demo
 * ledger and the benchmark's are the same ledger for the same seed.
 */
import { describe, expect, it } from "vitest";
import { seededId } from "~/lib/ids";
import { mulberry32, seededIdAt } from "../../../app/demo/generate";

describe("seededIdAt", () => {
  it("equals seededId for the same instant and draws, and leaves the generator at the same point", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const pick = mulberry32(7);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(pick() * 4_102_444_800_000); // 1970 to 2100
      const prefix = (["pay", "txn", "re", "po"] as const)[i % 4]!;
      expect(seededIdAt(prefix, ms, b)).toBe(seededId(prefix, new Date(ms), a));
    }
    expect(b()).toBe(a());
  });
});
