/**
 * Imported first by every entry point of ours (server, worker, jobs, vat): stops the
 * process at start when an environment variable does not parse, listing every one
 * (app/lib/env.server.ts says what each expects).
 */
import { envProblems } from "../lib/env.server";

const problems = envProblems();
if (problems.length > 0) {
  console.error(`Configuration error: fix these environment variables (README, Configuration):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
