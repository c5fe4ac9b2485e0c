/**
 * When test cards expire. The app checks a card's expiry against the real clock wherever a
 * card comes in over HTTP (the sandbox's token endpoints, `/api/v1/payments`, the hosted page,
 * the virtual terminal): it has no clock of its own for a test to pin. So test cards expire
 * three years after the current year, never in a fixed year (the cards of 2030 would stop
 * working in 2031), and always more than a year ahead, whatever month a test runs in. The
 * app refuses years more than 25 ahead, so "far enough" cannot simply be 2099 either.
 * This is the one place tests/ reads the real year (tests/unit/architecture/real-clock.test.ts).
 */
export const CARD_EXP_YEAR = new Date().getUTCFullYear() + 3;

/** The same expiry as the card forms take it: `12/YY`. */
export const CARD_EXPIRY = `12/${String(CARD_EXP_YEAR % 100).padStart(2, "0")}`;
