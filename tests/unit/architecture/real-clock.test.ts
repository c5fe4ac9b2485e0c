/**
 * Tests and the demo generator read the real clock only where they must. A test whose
 * outcome depends on today's date passes or fails with the calendar (one failed in the days
 * after Nowruz): its "now" is pinned (a literal instant) or injected (the demo ledger's
 * instant, `demoSeededAt()`; the demo generator's `demoNow()`, SEED_NOW).
 *
 * Every `Date.now()` and argument-less `new Date()` in tests/ and app/demo/ is counted per
 * file against the list below, which says why each file needs the real clock. A new read
 * in a file fails here until it is listed with its reason, and a read removed must come
 * off the list too (so the list stays true). tests/bench is not read: benchmarks measure
 * real time. `performance.now()` is not a read of the date and is not counted, nor is
 * `new Date(x)` (the read, if any, is the `Date.now()` inside it).
 */
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "../../..");

/** Why a file may read the real clock. */
const WHY = {
  /** Waiting for something to happen (polling, a deadline, a timeout): bounded by real time. */
  timeout: "a wait or a deadline, bounded by real time",
  /** How long something took. */
  elapsed: "a measured duration",
  /** A name or key that must differ between runs; never compared with a date. */
  unique: "a unique name or key, not a date",
  /**
   * The code under test reads the real clock itself: a loader or form action (the app has no
   * clock of its own to pin), a session's idle and absolute limits, a TOTP window, a row
   * stamped by the database's now(), a domain function left at its default `now`. The test
   * builds its input or its expectation on the same clock. Where a date's position in the
   * calendar could matter (holidays, month ends), such a test steps far enough that no
   * calendar position changes its outcome (three weeks for a payout, the longest holiday
   * being Nowruz's 13 days).
   */
  appClock: "the code under test reads the real clock, so the test's input or expectation does",
  /** The one read that defines an injected instant, for everything after it to use. */
  source: "the source of an injected instant",
  /** The point of the test is today's date. */
  today: "what it checks is about today",
} as const;

type Why = keyof typeof WHY;

const ALLOWED: Record<string, { reads: number; why: Why[]; note?: string }> = {
  // The demo generator
  "app/demo/seed.ts": { reads: 7, why: ["source", "elapsed"], note: "demoNow() is SEED_NOW or the moment of seeding; the rest time the load" },
  // Support
  "tests/support/global-setup.ts": { reads: 2, why: ["source", "unique"], note: "the test demo ledger ends at seededAt (demoSeededAt() in the files); the run id" },
  "tests/support/cards.ts": { reads: 1, why: ["appClock"], note: "card expiry is checked against the real clock on every HTTP path a card takes" },
  "tests/support/wait.ts": { reads: 2, why: ["timeout"] },
  "tests/e2e/server.ts": { reads: 3, why: ["source", "timeout"], note: "the browser-test server's pages are on the real clock, so its demo ends at the real now" },
  "tests/e2e/browser.ts": { reads: 2, why: ["timeout"] },
  "tests/integration/payments/fixtures.ts": { reads: 1, why: ["appClock"], note: "a test merchant activated now" },
  // Unit
  "tests/unit/architecture/env.test.ts": { reads: 2, why: ["appClock"], note: "demoNow() without SEED_NOW is the moment of seeding" },
  "tests/unit/settlements/holiday-data.test.ts": { reads: 1, why: ["today"], note: "fails when a calendar has less than a year of holidays left from today" },
  // Browser journeys
  "tests/e2e/accountant.e2e.ts": { reads: 1, why: ["appClock"], note: "a new schedule's first run, as the server computes it" },
  "tests/e2e/checkout.e2e.ts": { reads: 3, why: ["unique", "appClock"], note: "Idempotency-Keys; a link that expires in four seconds of the server's clock" },
  "tests/e2e/db-restart.e2e.ts": { reads: 6, why: ["elapsed", "timeout"] },
  "tests/e2e/no-javascript.e2e.ts": { reads: 2, why: ["unique"] },
  "tests/e2e/password-reset.e2e.ts": { reads: 3, why: ["unique", "timeout"] },
  "tests/e2e/sigkill-recovery.e2e.ts": { reads: 1, why: ["unique"] },
  "tests/e2e/subscriptions.e2e.ts": { reads: 5, why: ["unique", "timeout"] },
  "tests/e2e/terminals.e2e.ts": { reads: 1, why: ["unique"] },
  "tests/e2e/webhooks.e2e.ts": { reads: 4, why: ["elapsed", "timeout", "appClock"], note: "arrival times of deliveries; an endpoint broken since now" },
  // Integration
  "tests/integration/access/csrf-stepup.test.ts": { reads: 1, why: ["appClock"], note: "a step-up older than its window" },
  "tests/integration/access/password-reset.test.ts": { reads: 1, why: ["appClock"], note: "a reset token used after it expired" },
  "tests/integration/access/races.test.ts": { reads: 2, why: ["appClock"] },
  "tests/integration/access/sessions.test.ts": { reads: 6, why: ["appClock"], note: "idle and absolute session limits, checked by the guard on the real clock" },
  "tests/integration/access/staff.test.ts": { reads: 1, why: ["appClock"], note: "an invitation that has expired" },
  "tests/integration/access/totp.test.ts": { reads: 5, why: ["appClock"], note: "codes of later TOTP windows" },
  "tests/integration/console/loaders.test.ts": { reads: 8, why: ["appClock"], note: "the loaders' default ranges end today" },
  "tests/integration/console/overview-cache.test.ts": { reads: 1, why: ["appClock"], note: "payments made now must show in today's range" },
  "tests/integration/events/webhooks-console.test.ts": { reads: 1, why: ["appClock"], note: "the old secret's overlap, from the rotation's now" },
  "tests/integration/events/webhooks.test.ts": { reads: 3, why: ["elapsed", "appClock"], note: "retry delays; a signature older than the tolerance" },
  "tests/integration/exports/copy-cancel.test.ts": { reads: 3, why: ["timeout", "appClock"], note: "the bench ledger is read through the app's pages" },
  "tests/integration/exports/copy.test.ts": { reads: 1, why: ["appClock"] },
  "tests/integration/exports/schedules.test.ts": { reads: 8, why: ["timeout", "appClock"], note: "the job queue runs a schedule due in the next minute" },
  "tests/integration/exports/tie-out.test.ts": { reads: 1, why: ["appClock"], note: "balance summaries downloaded through the app" },
  "tests/integration/exports/xlsx.test.ts": { reads: 1, why: ["appClock"] },
  "tests/integration/jobs/queue.test.ts": { reads: 2, why: ["appClock"], note: "a job due in an hour of the queue's clock" },
  "tests/integration/mail/notifications.test.ts": { reads: 3, why: ["appClock"] },
  "tests/integration/onboarding/journey.test.ts": { reads: 2, why: ["appClock"], note: "days of payout runs after payments made now" },
  "tests/integration/payments/api.test.ts": { reads: 4, why: ["appClock"], note: "revoked keys; idempotency keys pruned after 24 hours" },
  "tests/integration/payments/card-data.test.ts": { reads: 1, why: ["appClock"] },
  "tests/integration/payments/console-forms.test.ts": { reads: 2, why: ["appClock"], note: "a step-up older than its window" },
  "tests/integration/payments/hardening.test.ts": { reads: 2, why: ["appClock"] },
  "tests/integration/payments/hosted-page.test.ts": { reads: 4, why: ["appClock"] },
  "tests/integration/payments/ledger-properties.test.ts": { reads: 2, why: ["appClock"] },
  "tests/integration/payments/payments.test.ts": { reads: 4, why: ["appClock"] },
  "tests/integration/payments/sandbox-http.test.ts": { reads: 2, why: ["appClock"] },
  "tests/integration/scale/plans.test.ts": { reads: 1, why: ["appClock"], note: "the bench ledger is read through the app's pages" },
  "tests/integration/scale/rollups.test.ts": { reads: 2, why: ["appClock"] },
  "tests/integration/settlements/cancel.test.ts": { reads: 3, why: ["timeout", "appClock"] },
  "tests/integration/settlements/jobs.test.ts": { reads: 4, why: ["appClock", "unique"], note: "the queue's payout task runs on the real clock" },
  "tests/integration/subscriptions/card-update.test.ts": { reads: 6, why: ["appClock"] },
  "tests/integration/subscriptions/console.test.ts": { reads: 1, why: ["appClock"] },
  "tests/integration/subscriptions/plan-change.test.ts": { reads: 1, why: ["appClock"] },
  "tests/integration/subscriptions/races.test.ts": { reads: 1, why: ["appClock"] },
  "tests/integration/subscriptions/subscribe-page.test.ts": { reads: 1, why: ["appClock"] },
};

/** `Date.now()` and `new Date()` without an argument, outside comments. */
const REAL_CLOCK = /\bDate\.now\(\s*\)|\bnew Date\(\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (rel !== "tests/bench") out.push(...sourceFiles(rel));
    } else if (/\.(ts|tsx|mts|mjs|js)$/.test(e.name)) out.push(rel);
  }
  return out;
}

/** The lines (1-based) of every real-clock read in `source`, one entry per read. */
export function realClockReads(source: string): number[] {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .split("\n")
    .map((l) => l.replace(/(^|[^:"'`\\])\/\/.*$/, "$1"));
  return code.flatMap((l, i) => [...l.matchAll(REAL_CLOCK)].map(() => i + 1));
}

describe("the real clock in tests and the demo generator", () => {
  it("finds reads and skips comments", () => {
    expect(realClockReads("const a = Date.now();\n// new Date() here\n/* Date.now() */ const b = new Date(), c = new Date(0);\nconst u = 'http://x'; const d = new Date();")).toEqual([1, 3, 4]);
  });

  it("is read only by the files listed, as often as listed, each with a reason", () => {
    const found: Record<string, number[]> = {};
    // This file is skipped: its only "reads" are the samples of the test above.
    for (const f of [...sourceFiles("tests"), ...sourceFiles("app/demo")].filter((x) => x !== "tests/unit/architecture/real-clock.test.ts")) {
      const lines = realClockReads(fs.readFileSync(path.join(root, f), "utf8"));
      if (lines.length > 0) found[f] = lines;
    }
    const unexpected = Object.entries(found)
      .filter(([f, lines]) => lines.length !== (ALLOWED[f]?.reads ?? 0))
      .map(([f, lines]) => `${f}: ${lines.length} reads (lines ${lines.join(", ")}), listed ${ALLOWED[f]?.reads ?? 0}`);
    // A listed file that no longer reads the clock comes off the list.
    const stale = Object.keys(ALLOWED).filter((f) => !found[f]).map((f) => `${f}: listed, reads none`);
    expect([...unexpected, ...stale], "pin or inject \"now\" (demoSeededAt(), a literal instant), or list the file here with its reason").toEqual([]);
    for (const [f, entry] of Object.entries(ALLOWED)) expect(entry.why.length, f).toBeGreaterThan(0);
  });
});
