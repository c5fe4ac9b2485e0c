import { describe, expect, it } from "vitest";
import { summarizeDeliveries } from "~/modules/webhooks/delivery-summary";
import { en } from "~/lib/i18n/en";
import { fa } from "~/lib/i18n/fa";

describe("an event's deliveries in one word (the Events list badge)", () => {
  it("says Failed, not Retrying, once a delivery has no retry left", () => {
    expect(summarizeDeliveries([{ endpointId: "we_1", status: "failed" }])).toBe("failed");
    expect(en["webhooks.deliveryStatus.failed"]).toBe("Failed");
    expect(fa["webhooks.deliveryStatus.failed"]).toBe("ناموفق");
  });

  it("says Retrying while a retry waits, Delivered once any delivery to each endpoint succeeded", () => {
    expect(summarizeDeliveries([{ endpointId: "we_1", status: "retrying" }])).toBe("retrying");
    expect(summarizeDeliveries([{ endpointId: "we_1", status: "pending" }])).toBe("pending");
    // A failed delivery later resent successfully: delivered.
    expect(summarizeDeliveries([{ endpointId: "we_1", status: "failed" }, { endpointId: "we_1", status: "succeeded" }])).toBe("succeeded");
    // A retry superseded by a replay that succeeded: delivered.
    expect(summarizeDeliveries([{ endpointId: "we_1", status: "superseded" }, { endpointId: "we_1", status: "succeeded" }])).toBe("succeeded");
    // The worst endpoint decides.
    expect(summarizeDeliveries([{ endpointId: "we_1", status: "succeeded" }, { endpointId: "we_2", status: "failed" }])).toBe("failed");
    expect(summarizeDeliveries([{ endpointId: "we_1", status: "retrying" }, { endpointId: "we_2", status: "failed" }])).toBe("failed");
    expect(summarizeDeliveries([])).toBeNull();
  });
});
