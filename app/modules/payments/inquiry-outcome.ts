/**
 * What a provider's inquiry answer means for a pending payment: the outcome the guarded
 * transition (applyAuthorizationOutcome) applies. The hosted checkout, the subscribe page
 * and a saved card's update read the provider the same way.
 */
import type { InquiryResult } from "~/modules/processors/types";

/** The provider's answer to an inquiry as an outcome to apply (null: still unknown). */
export function outcomeOf(r: InquiryResult) {
  switch (r.status) {
    case "approved":
      return { kind: "authorized" as const, providerReference: r.providerReference };
    case "captured":
      return { kind: "captured" as const, providerReference: r.providerReference };
    case "voided":
      return { kind: "voided" as const, providerReference: r.providerReference };
    case "declined":
      return { kind: "declined" as const, providerReference: r.providerReference, declineCode: r.declineCode, message: r.message };
    case "error":
      return { kind: "failed" as const, providerReference: r.providerReference, code: r.code, message: r.message };
    default:
      return null;
  }
}
