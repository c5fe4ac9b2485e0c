import { afterAll, afterEach, beforeEach, vi } from "vitest";
import { checkoutConfig } from "~/modules/payment-links/checkout.server";
import { receiptSendLimits } from "~/modules/payment-links/receipt-sends.server";
import { idempotencyConfig } from "~/modules/idempotency/idempotency.server";
import { processorConfig } from "~/modules/processors/sandbox-processor.server";
import { sandboxConfig } from "~/modules/processors/sandbox/sandbox.server";
import { subscribeConfig } from "~/modules/subscriptions/subscribe.server";
import { sandboxHttpConfig } from "~/web/sandbox/http.server";

// A test that makes React or Remix complain is a failing test.
let errors: unknown[][] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  if (errors.length) {
    const first = errors[0]!.map(String).join(" ");
    errors = [];
    throw new Error(`console.error was called during the test: ${first}`);
  }
});

// A worker runs many files in one module graph (vitest.config.ts: isolate false, so the
// app is imported once per worker). The settings a file may tune (configureSandbox,
// configureCheckout, ...) go back to what they were when it ends, so the next file of
// the worker starts from the defaults.
const tunable: object[] = [checkoutConfig, receiptSendLimits, idempotencyConfig, processorConfig, sandboxConfig, sandboxHttpConfig, subscribeConfig];
const saved = tunable.map((o) => ({ ...o }));
afterAll(() => {
  tunable.forEach((o, i) => Object.assign(o, saved[i]));
});
