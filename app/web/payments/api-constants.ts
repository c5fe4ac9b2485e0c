/** Largest API request body we read: a payment request is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
