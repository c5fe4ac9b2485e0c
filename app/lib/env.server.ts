/**
 * The process's configuration: the only file of app/ and db/ that reads `process.env`
 * (tests/unit/architecture/env.test.ts checks it, and that README's Configuration table is
 * this list). Each variable has a zod schema, its default and one line of meaning.
 *
 * - Read a value with `env.NAME` (typed, parsed, default applied). Reading is lazy and goes
 *   to `process.env` every time, with the parsed value cached per raw string: a test that
 *   sets or deletes `process.env.NAME` (or replaces `process.env`) is seen by the next read,
 *   so tests need no reset. `resetEnvCache()` exists for a test that wants a cold cache.
 * - A value that does not parse throws, naming the variable and what is expected
 *   (`PORT must be a whole number between 1 and 65535, got "abc"`).
 * - `envProblems()` parses every variable at once; the entry points (server, worker, jobs,
 *   seeding, migrations) call it first and stop with every problem listed (fail fast).
 *
 * Lives in app/lib so that db/ may import it too. Never imported by the browser (.server).
 */
import { z } from "zod";

interface Spec<T> {
  /** Parses a set, non-empty raw value. */
  schema: z.ZodType<T, z.ZodTypeDef, string>;
  /** The value when unset or empty. */
  fallback: T;
  /** The default as the README shows it. */
  shown: string;
  /** What a valid value looks like, after "NAME ". */
  expects: string;
  /** One line: what the variable does. */
  doc: string;
}

function spec<T>(s: Spec<T>): Spec<T> {
  return s;
}

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?[0-9]+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

function int(def: number, min: number, max: number, doc: string, shown = `\`${def}\``): Spec<number> {
  return spec({ schema: wholeNumber(min, max), fallback: def, shown, expects: `must be a whole number between ${min} and ${max}`, doc });
}

function optionalInt(min: number, max: number, shown: string, doc: string): Spec<number | undefined> {
  return spec<number | undefined>({ schema: wholeNumber(min, max), fallback: undefined, shown, expects: `must be a whole number between ${min} and ${max}`, doc });
}

/** A duration in milliseconds: 0 up to a year. */
function ms(def: number, doc: string): Spec<number> {
  return int(def, 0, 365 * 86_400_000, doc);
}

/** `1` or `0`. */
function flag(def: boolean, doc: string, shown = def ? "`1`" : "`0`"): Spec<boolean> {
  return spec({ schema: z.enum(["0", "1"]).transform((v) => v === "1"), fallback: def, shown, expects: "must be 1 or 0", doc });
}

function optionalFlag(shown: string, doc: string): Spec<boolean | undefined> {
  return spec<boolean | undefined>({ schema: z.enum(["0", "1"]).transform((v) => v === "1"), fallback: undefined, shown, expects: "must be 1 or 0", doc });
}

function text(def: string | undefined, doc: string, shown = def === undefined ? "unset" : `\`${def}\``): Spec<string | undefined> {
  return spec<string | undefined>({ schema: z.string(), fallback: def, shown, expects: "must be text", doc });
}

function textWithDefault(def: string, doc: string, shown = `\`${def}\``): Spec<string> {
  return spec({ schema: z.string(), fallback: def, shown, expects: "must be text", doc });
}

function url(protocols: string[], doc: string, shown = "unset"): Spec<string | undefined> {
  return spec<string | undefined>({
    schema: z
      .string()
      .trim()
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }),
    fallback: undefined,
    shown,
    expects: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
    doc,
  });
}

const POSTGRES = ["postgres:", "postgresql:"];

/** An instant in ISO 8601 with its offset (`2026-06-15T09:00:00Z`); unset is `undefined`. */
function instant(shown: string, doc: string): Spec<Date | undefined> {
  return spec<Date | undefined>({
    schema: z
      .string()
      .trim()
      .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/)
      .transform((v) => new Date(v))
      .refine((d) => !Number.isNaN(d.getTime())),
    fallback: undefined,
    shown,
    expects: "must be an instant in ISO 8601 with its offset, e.g. 2026-06-15T09:00:00Z",
    doc,
  });
}

/** Every variable the app reads, in the order of README's Configuration table. */
export const ENV = {
  // The server process
  PORT: int(3000, 1, 65535, "where the server listens (port)"),
  HOST: textWithDefault("127.0.0.1", "where the server listens (address; `0.0.0.0` for every interface)"),
  NODE_ENV: spec<"development" | "production" | "test" | undefined>({
    schema: z.enum(["development", "production", "test"]),
    fallback: undefined,
    shown: "`production`",
    expects: "must be development, production or test",
    doc: "`development` for `npm run dev`; vitest sets `test`",
  }),
  WEB_CONCURRENCY: optionalInt(1, 256, "one per core on PostgreSQL, `1` on PGlite", "server processes sharing the port"),
  WORKER_INDEX: optionalInt(0, 255, "unset", "set by the server for the processes it forks (`0` runs the job workers); not for you to set"),
  TRUST_PROXY: flag(false, "`1` behind a reverse proxy (client IPs from X-Forwarded-For, host from X-Forwarded-Host)"),
  PUBLIC_URL: url(["http:", "https:"], "base of links in mail and the sandbox's own origin", "the request's origin"),
  SESSION_COOKIE_SECURE: spec<"true" | "false" | undefined>({
    schema: z.enum(["true", "false"]),
    fallback: undefined,
    shown: "auto",
    expects: "must be true or false",
    doc: "session cookie is `Secure` and `__Host-` over HTTPS or when `NODE_ENV=production`; `false` forces a plain cookie (plain HTTP on a LAN address), `true` forces Secure",
  }),
  DATA_DIR: text(undefined, "where generated secrets (sandbox vault key, sandbox API secret) are kept", "`./data`"),
  // The database
  DATABASE_URL: url(POSTGRES, "a PostgreSQL server; unset means embedded PGlite"),
  PGLITE_DIR: text(undefined, "where the embedded database lives", "`./data/pglite`"),
  MIGRATIONS_DIR: text(undefined, "the drizzle-kit migrations applied at start", "`./db/migrations`"),
  DATABASE_POOL_SIZE: int(10, 1, 1000, "postgres.js pool size per app process"),
  DATABASE_CONSOLE_POOL_SIZE: int(3, 0, 1000, "a second pool per app process for the console's page views alone, so API writes cannot queue them (`0`: they share `DATABASE_POOL_SIZE`)"),
  API_MAX_IN_FLIGHT: int(0, 0, 100_000, "API writes (`POST`/`PATCH`/`DELETE` under `/api/v1`) one app process works on at once; more wait their turn in arrival order (`0`: no limit; 8 cost a quarter of the payments/s at 50 clients here, see docs/write-path.md)"),
  DATABASE_BATCH_IN_FLIGHT: int(2, 0, 64, "batches of a payment's insert, or of its capture, one app process has in flight at once; concurrent payments arriving meanwhile share the next one's transaction and commit (`0`: no batching, each its own transaction; see docs/write-path.md, *Sixth round*)"),
  DATABASE_BATCH_MAX: int(32, 1, 1000, "at most this many payments in one batched transaction"),
  DATABASE_CONNECT_TIMEOUT: int(5, 1, 600, "seconds to wait for the server before the database counts as unavailable (503)"),
  DATABASE_REPLICA_URL: url(POSTGRES, "read replica for reports and exports (`replicaDb()`): the Overview's figures and every CSV export"),
  DATABASE_REPLICA_POOL_SIZE: optionalInt(1, 1000, "`DATABASE_POOL_SIZE`", "pool size for the replica"),
  REPORT_CACHE: flag(true, "`0` recomputes the Overview's figures on every view (see *Scaling out*)"),
  REPORT_STALE_MS: int(250, 0, 1000, "while payments stream in, how long the Overview reuses its report without checking for new rows"),
  API_VIA_REMIX: flag(false, "`1` sends `/api/v1/*` through Remix's route matching too (to compare; normally Express calls the API route modules)"),
  // First start
  SEED_ON_START: flag(true, "`0` skips seeding an empty database at start-up"),
  SEED: int(1, 0, 2 ** 31 - 1, "demo dataset seed on first start"),
  SEED_PAYMENTS: int(40_000, 0, 100_000_000, "demo dataset size (payments of the first merchant) on first start"),
  SEED_NOW: instant("the moment of seeding", "the instant the demo ledger ends (its \"today\"), e.g. `2026-06-15T09:00:00Z`, for a demo that is the same on every run; unset, the demo ends when it is generated"),
  // Jobs
  SCHEDULER: flag(true, "`0`: this server runs no job workers (run `npm run worker` elsewhere)"),
  JOBS_CONCURRENCY: int(4, 1, 256, "jobs run at once by one process's workers"),
  WEBHOOK_DISPATCH_POLL_MS: ms(500, "how often the workers look for webhook deliveries that are due"),
  // Mail
  SMTP_URL: url(
    ["smtp:", "smtps:"],
    "the SMTP server mail goes through, e.g. `smtps://user:pass@smtp.example.com:465`; unset: mail stays in the outbox, read on the **Mailbox** page (`/mailbox`)",
  ),
  MAIL_FROM: textWithDefault("Merchant Console <no-reply@merchant-console.local>", "the sender of every mail"),
  MAILBOX_ALL: optionalFlag("`1` outside production", "`/mailbox` lists every mail (all addresses) instead of the reader's own; `0` turns it off in development"),
  // The sandbox provider
  SANDBOX_VAULT_KEY: text(undefined, "32-byte AES-256-GCM key of the sandbox card vault (base64 or hex); set it for any shared deployment", "generated into `./data`"),
  SANDBOX_API_SECRET: text(undefined, "server secret of the sandbox's HTTP face (`/sandbox/v1`); set it for any shared deployment", "generated into `./data`"),
  SANDBOX_ALLOWED_ORIGINS: spec<string[]>({
    schema: z.string().transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean)),
    fallback: [],
    shown: "unset",
    expects: "must be comma-separated origins",
    doc: "more origins (comma-separated) whose pages may tokenize cards at `/sandbox/v1/tokens` and return from its card form; the console's own is always allowed",
  }),
  PROCESSOR_DEADLINE_MS: ms(5000, "how long the console waits for the provider before the outcome counts as unknown (pending)"),
  SANDBOX_SLOW_MS: ms(2000, "the sandbox's slow card's delay"),
  SANDBOX_LATE_ANSWER_MS: ms(20_000, "when a timed-out request's answer becomes visible to inquiry"),
  SANDBOX_AUTH_TIMEOUT_MS: ms(10 * 60_000, "how long a 3-D Secure challenge waits for the cardholder"),
  SANDBOX_CODE_TTL_MS: ms(2 * 60_000, "how long a 3-D Secure one-time code is valid"),
  SANDBOX_HTTP_SILENCE_MS: ms(30_000, "how long the sandbox's HTTP face stays silent for a \"timeout\" card before giving up (504)"),
  // Limits
  CHECKOUT_DECLINES_PER_IP_PER_HOUR: int(5, 1, 1_000_000, "the hosted page's card-testing block: more declines than this from one address in an hour block it"),
  CHECKOUT_BLOCK_MS: ms(60 * 60_000, "how long such a block lasts"),
  CHECKOUT_PER_IP_PER_LINK_PER_HOUR: int(20, 1, 1_000_000, "checkouts one address may start on one payment link in an hour"),
  CHECKOUT_ATTEMPTS_PER_LINK_PER_HOUR: int(200, 1, 1_000_000, "payment attempts one link takes from everyone in an hour"),
  RECEIPT_SENDS_PER_PAYMENT_PER_DAY: int(5, 1, 1_000_000, "receipts by SMS or e-mail per payment in a day"),
  RECEIPT_SENDS_PER_RECIPIENT_PER_DAY: int(10, 1, 1_000_000, "receipts per phone number or address from one merchant in a day"),
  SUBSCRIBE_PER_IP_PER_PLAN_PER_HOUR: int(20, 1, 1_000_000, "subscriptions one address may start on one plan's public page in an hour"),
  CARD_LINK_TTL_DAYS: int(7, 1, 365, "days a dunning mail's link to update the card stays valid"),
  IDEMPOTENCY_STALE_MS: ms(120_000, "an Idempotency-Key still in progress after this long is taken over by a retry"),
  // Webhooks
  WEBHOOKS_ALLOW_PRIVATE: flag(false, "`1` lets webhook endpoints be private or loopback addresses (testing only)"),
  WEBHOOK_RETRY_BASE_MS: ms(60_000, "first retry delay of a failed webhook delivery (doubling after)"),
  WEBHOOK_RETRY_MAX_MS: ms(6 * 3600_000, "longest delay between two retries"),
  WEBHOOK_RETRY_WINDOW_MS: ms(3 * 86_400_000, "how long a delivery is retried before it is given up"),
  // Fee statements
  PROVIDER_LEGAL_NAME: textWithDefault("Merchant Console Payments (sandbox)", "the provider's legal name on fee statements"),
  PROVIDER_ADDRESS: textWithDefault("Sandbox provider: no registered address", "the provider's address on fee statements"),
  PROVIDER_TAX_ID: textWithDefault("SANDBOX-VAT-0000", "the provider's tax id on fee statements"),
  PROVIDER_EMAIL: textWithDefault("billing@merchant-console.test", "the provider's billing address on fee statements"),
  // Tests
  VITEST: text(undefined, "set by vitest: the development console copies of mail and SMS stay quiet"),
} satisfies Record<string, Spec<unknown>>;

export type EnvName = keyof typeof ENV;
type ValueOf<K extends EnvName> = (typeof ENV)[K] extends Spec<infer T> ? T : never;
export type Env = { readonly [K in EnvName]: ValueOf<K> };

export class EnvError extends Error {
  constructor(readonly variable: EnvName, readonly raw: string, expects: string) {
    super(`${variable} ${expects}, got "${raw}"`);
    this.name = "EnvError";
  }
}

const cache = new Map<EnvName, { raw: string | undefined; value: unknown }>();

function read<K extends EnvName>(name: K): ValueOf<K> {
  const raw = process.env[name];
  const hit = cache.get(name);
  if (hit && hit.raw === raw) return hit.value as ValueOf<K>;
  const s = ENV[name] as Spec<ValueOf<K>>;
  let value: ValueOf<K>;
  if (raw === undefined || raw.trim() === "") value = s.fallback;
  else {
    const parsed = s.schema.safeParse(raw);
    if (!parsed.success) throw new EnvError(name, raw, s.expects);
    value = parsed.data;
  }
  cache.set(name, { raw, value });
  return value;
}

/** The configuration, read lazily: `env.PORT`. */
export const env: Env = Object.defineProperties(
  {},
  Object.fromEntries((Object.keys(ENV) as EnvName[]).map((name) => [name, { enumerable: true, get: () => read(name) }])),
) as Env;

/** Every variable that does not parse, one message each (empty when all are fine). */
export function envProblems(): string[] {
  const out: string[] = [];
  for (const name of Object.keys(ENV) as EnvName[]) {
    try {
      read(name);
    } catch (e) {
      if (e instanceof EnvError) out.push(e.message);
      else throw e;
    }
  }
  return out;
}

/** Throws one error listing every variable that does not parse: for the entry points, at start. */
export function assertEnv(): void {
  const problems = envProblems();
  if (problems.length > 0) throw new Error(`Configuration error (environment variables):\n  ${problems.join("\n  ")}`);
}

/** Forgets parsed values (tests; never needed for correctness, since reads compare the raw string). */
export function resetEnvCache(): void {
  cache.clear();
}

/** README's Configuration table, made from the list above. */
export function configurationTable(): string {
  const rows = (Object.keys(ENV) as EnvName[]).map((name) => `| \`${name}\` | ${ENV[name].shown} | ${ENV[name].doc} |`);
  return ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** The environment for a child process of ours: ours plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
