/**
 * The configuration has one reader: app/lib/env.server.ts parses every variable with zod,
 * README's Configuration table is made from it, and no other file of app/ or db/ reads
 * process.env (tests, tests/bench and .ci may).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { repoRoot as root, sourceFiles } from "../../support/source-files";
import { configurationTable, ENV, env, envProblems, EnvError } from "~/lib/env.server";

/** Every script, declarations included: a .d.ts or a .mjs may read process.env too. */
const scripts = (dir: string) => sourceFiles(dir, (name) => /\.(ts|tsx|js|mjs|cjs|mts)$/.test(name));

/** Runs `fn` with the variables set (undefined deletes), restoring them after. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void) {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  apply(vars);
  try {
    fn();
  } finally {
    apply(before);
  }
}

describe("the environment", () => {
  it("is read by env.server.ts alone in app/ and db/", () => {
    const readers = [...scripts("app"), ...scripts("db")].filter(
      (f) => f !== "app/lib/env.server.ts" && /process\s*\.\s*env\b|process\s*\[\s*["'`]env|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/.test(fs.readFileSync(path.join(root, f), "utf8")),
    );
    expect(readers).toEqual([]);
  });

  it("is checked first by every entry point, before any other module reads it", () => {
    for (const f of ["app/server/main.ts", "app/server/worker-main.ts", "app/server/jobs.ts", "app/server/vat.ts"]) {
      const firstImport = fs.readFileSync(path.join(root, f), "utf8").match(/^import .*$/m)?.[0];
      expect([f, firstImport]).toEqual([f, 'import "./check-env";']);
    }
    for (const f of ["app/demo/cli.ts", "db/migrate.ts"]) expect([f, /^assertEnv\(\);$/m.test(fs.readFileSync(path.join(root, f), "utf8"))]).toEqual([f, true]);
  });

  it("is README's Configuration table, variable for variable", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.split("\n## Configuration\n")[1]?.split("\n## ")[0] ?? "";
    const inReadme = [...section.matchAll(/^\| `([A-Z_0-9]+)` \|/gm)].map((m) => m[1]);
    const inCode = Object.keys(ENV);
    expect(inReadme.filter((n) => !inCode.includes(n!))).toEqual([]);
    expect(inCode.filter((n) => !inReadme.includes(n))).toEqual([]);
    // The whole table, defaults and meanings included, is the one made from env.server.ts:
    // paste configurationTable()'s output (printed in the diff) into README when this fails.
    expect(section).toContain(configurationTable());
  });

  it("gives every variable a default shown and one line of meaning", () => {
    for (const [name, s] of Object.entries(ENV)) {
      expect([name, s.doc.length > 10 && !s.doc.includes("\n"), s.shown.length > 0]).toEqual([name, true, true]);
    }
  });

  it("applies defaults, parses values and sees a test's change at the next read", () => {
    withEnv({ PORT: undefined, TRUST_PROXY: undefined, SANDBOX_ALLOWED_ORIGINS: undefined, DATABASE_REPLICA_POOL_SIZE: undefined }, () => {
      expect(env.PORT).toBe(3000);
      expect(env.TRUST_PROXY).toBe(false);
      expect(env.SANDBOX_ALLOWED_ORIGINS).toEqual([]);
      expect(env.DATABASE_REPLICA_POOL_SIZE).toBeUndefined();
      process.env.PORT = "8080";
      process.env.TRUST_PROXY = "1";
      process.env.SANDBOX_ALLOWED_ORIGINS = "https://a.example, https://b.example,";
      expect(env.PORT).toBe(8080);
      expect(env.TRUST_PROXY).toBe(true);
      expect(env.SANDBOX_ALLOWED_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
      process.env.PORT = "";
      expect(env.PORT).toBe(3000);
    });
  });

  it("refuses a bad value naming the variable, what it expects and what it got", () => {
    withEnv({ PORT: "abc", TRUST_PROXY: "yes", DATABASE_URL: "mysql://x", WEBHOOK_RETRY_BASE_MS: "-5" }, () => {
      expect(() => env.PORT).toThrowError(new EnvError("PORT", "abc", "must be a whole number between 1 and 65535"));
      expect(() => env.PORT).toThrowError('PORT must be a whole number between 1 and 65535, got "abc"');
      expect(envProblems()).toEqual([
        'PORT must be a whole number between 1 and 65535, got "abc"',
        'TRUST_PROXY must be 1 or 0, got "yes"',
        'DATABASE_URL must be a URL starting with postgres:// or postgresql://, got "mysql://x"',
        'WEBHOOK_RETRY_BASE_MS must be a whole number between 0 and 31536000000, got "-5"',
      ]);
    });
    expect(envProblems()).toEqual([]);
  });

  it("SEED_NOW pins the demo's today; unset, the demo ends when it is generated", async () => {
    const { demoNow } = await import("~/demo/seed");
    withEnv({ SEED_NOW: "2026-06-15T09:30:00+03:30" }, () => {
      expect(env.SEED_NOW).toEqual(new Date("2026-06-15T06:00:00Z"));
      expect(demoNow()).toEqual(new Date("2026-06-15T06:00:00Z"));
    });
    withEnv({ SEED_NOW: "2026-06-15" }, () => {
      expect(envProblems()).toEqual(['SEED_NOW must be an instant in ISO 8601 with its offset, e.g. 2026-06-15T09:00:00Z, got "2026-06-15"']);
    });
    withEnv({ SEED_NOW: "2026-13-45T09:00:00Z" }, () => {
      expect(envProblems()).toEqual(['SEED_NOW must be an instant in ISO 8601 with its offset, e.g. 2026-06-15T09:00:00Z, got "2026-13-45T09:00:00Z"']);
    });
    withEnv({ SEED_NOW: undefined }, () => {
      // The one real-clock read of this file: the default is the moment of seeding.
      const before = Date.now();
      const at = demoNow().getTime();
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(Date.now());
    });
  });

  it("stops a process at start with every problem listed", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "app/server/check-env.ts")], {
      cwd: root,
      env: { ...process.env, PORT: "70000", SCHEDULER: "no" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'Configuration error: fix these environment variables (README, Configuration):\n  PORT must be a whole number between 1 and 65535, got "70000"\n  SCHEDULER must be 1 or 0, got "no"\n',
    );
  });
});
