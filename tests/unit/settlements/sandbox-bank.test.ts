import { describe, expect, it } from "vitest";
import { validateAbaRouting, validateIban, validateSheba } from "~/lib/bank-account";
import { SANDBOX_TEST_ACCOUNTS, sandboxBankBehaviour } from "~/modules/settlements/sandbox-bank";

describe("sandbox bank test accounts", () => {
  it.each(SANDBOX_TEST_ACCOUNTS.map((a) => [a.accountNumber, a] as const))("%s is a real-format number", (_n, a) => {
    if (a.kind === "sheba") expect(validateSheba(a.accountNumber).ok).toBe(true);
    if (a.kind === "iban") expect(validateIban(a.accountNumber).ok).toBe(true);
    if (a.kind === "aba") {
      expect(validateAbaRouting(a.routingNumber!).ok).toBe(true);
      expect(a.accountNumber).toMatch(/^\d{4,17}$/);
    }
  });

  it("behaves as documented", () => {
    for (const a of SANDBOX_TEST_ACCOUNTS) {
      const b = sandboxBankBehaviour(a.accountNumber);
      if (a.outcome.startsWith("paid on")) expect(b.kind).toBe("paid");
      else {
        expect(b.kind).not.toBe("paid");
        expect(a.outcome).toContain((b as { code: string }).code);
      }
      if (a.outcome.startsWith("fails in transit")) expect(b.kind).toBe("fails_in_transit");
      if (a.outcome.startsWith("rejected")) expect(b.kind).toBe("rejected");
      if (a.outcome.includes("returned")) expect(b.kind).toBe("returned");
    }
  });

  it("reads the number as people write it", () => {
    expect(sandboxBankBehaviour("IR18 0170 0000 0000 0000 1111 113").kind).toBe("fails_in_transit");
    expect(sandboxBankBehaviour("ir530170000000000003333335").kind).toBe("returned");
    expect(sandboxBankBehaviour("IR200170000000000123456789")).toEqual({ kind: "paid" });
  });
});
