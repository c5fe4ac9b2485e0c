import fs from "node:fs";
import path from "node:path";
import { detectCard, luhnValid } from "~/lib/card";
import { TEST_CARDS, DECLINE_MESSAGES } from "~/modules/processors/test-cards";
import { en } from "~/lib/i18n/en";

describe("sandbox test cards", () => {
  it("are Luhn-valid, unique, and detected as the brand (and bank) they claim", () => {
    expect(new Set(TEST_CARDS.map((c) => c.number)).size).toBe(TEST_CARDS.length);
    for (const c of TEST_CARDS) {
      expect(luhnValid(c.number), c.number).toBe(true);
      const info = detectCard(c.number);
      expect(info.brand, c.number).toBe(c.brand);
      expect(info.lengths, c.number).toContain(c.number.length);
      if (c.bank) expect(info.bankCode, c.number).toBe(c.bank);
    }
  });

  it("cover every outcome the issue asks for", () => {
    const kinds = new Set(TEST_CARDS.map((c) => (c.behaviour.kind === "decline" ? `decline:${c.behaviour.code}` : c.behaviour.kind)));
    for (const k of [
      "approve",
      "decline:insufficient_funds",
      "decline:do_not_honor",
      "decline:lost_card",
      "decline:stolen_card",
      "decline:expired_card",
      "decline:incorrect_cvc",
      "processing_error",
      "timeout_approved",
      "timeout_lost",
      "slow",
    ]) {
      expect(kinds, k).toContain(k);
    }
    const fundings = new Set(TEST_CARDS.filter((c) => c.behaviour.kind === "approve").map((c) => c.funding));
    expect([...fundings].sort()).toEqual(["credit", "debit", "prepaid"]);
  });

  it("are all documented in the guide (docs/guide.md, linked from the README), and every decline reason has words in the catalog", () => {
    const readme = fs.readFileSync(path.resolve("docs/guide.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Sandbox test cards"));
    expect(section.length).toBeGreaterThan(100);
    const digits = section.replace(/[ `]/g, "");
    for (const c of TEST_CARDS) expect(digits, c.number).toContain(c.number);
    for (const code of Object.keys(DECLINE_MESSAGES).filter((k) => k !== "provider_unavailable")) {
      expect(Object.keys(en), code).toContain(`decline.${code}`);
    }
  });
});
