import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { fileURLToPath } from "node:url";

/**
 * Browser journeys: `npm run build` first, then `npm run test:e2e`. One server (seeded
 * on its first start in a temporary folder) and one Chromium for the whole run, files
 * one after another.
 */
/**
 * The fit audit goes first, on the freshly seeded server: what it measures is the demo
 * merchants' pages, not what the journeys after it typed into them.
 */
class FitFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const fit = (f: TestSpecification) => (f.moduleId.endsWith("/fit.e2e.ts") ? 0 : 1);
    return [...sorted].sort((a, b) => fit(a) - fit(b));
  }
}

export default defineConfig({
  resolve: {
    alias: {
      "~db": fileURLToPath(new URL("../../db", import.meta.url)),
      "~": fileURLToPath(new URL("../../app", import.meta.url)),
    },
  },
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    // The all-pages fit and axe audit (every role x 390/1280/1400 px x both languages, see
    // tests/e2e/fit.e2e.ts) runs in CI with E2E_FIT=1 (.ci/run), on this run's server; alone,
    // `npm run test:fit` (FIT_PEOPLE=a@x,b@y and FIT_WIDTHS=390 run a part, FIT_SHOTS=1
    // photographs every page, FIT_TIMING=1 says where its time goes).
    exclude: process.env.E2E_FIT === "1" ? [] : ["tests/e2e/fit.e2e.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    sequence: { sequencer: FitFirst },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
    pool: "forks",
  },
});
