import type { Localized } from "~/lib/i18n/messages";

/**
 * A refusal with a reason a person can act on: routes answer it with its 4xx, saying
 * `i18n` in the reader's language (`message` is the English sentence, for logs and the
 * audit trail). Each module throws its own subclass (StaffError, AccountError), which its
 * routes catch by name.
 */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 = 400,
    readonly field?: string,
    readonly i18n?: Localized,
  ) {
    super(message);
  }
}
