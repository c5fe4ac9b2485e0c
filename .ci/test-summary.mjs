// CI's summary of the test step: counts, the step's wall time on which database, the
// phases vitest reports (transform, setup, import, tests) and the slowest files, from
// tests/output/<name>.json and <name>.log. Usage: node .ci/test-summary.mjs "<db>" <seconds> [name]
// (name defaults to vitest: the real-server run; vitest-pglite is the embedded database's run).
import fs from "node:fs";

const [database = "", seconds = "", name = "vitest"] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(`tests/output/${name}.json`, "utf8"));
console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped, ${r.testResults.length} files`);
const wall = Number(seconds);
const budget = 300;
console.log(`npm test on ${database || "PGlite"}: ${wall} s wall${database ? "" : ` (budget ${budget} s on a quiet 2-core machine: ${wall <= budget ? "within" : "OVER"})`}`);
// vitest's own line: "Duration 290.1s (transform 5s, setup 1s, import 80s, tests 200s, environment 0ms)"
const log = fs.existsSync(`tests/output/${name}.log`) ? fs.readFileSync(`tests/output/${name}.log`, "utf8").replace(/\x1b\[[0-9;]*m/g, "") : "";
const phases = log.match(/Duration\s+([^\n]+)/);
if (phases) console.log(`vitest phases: ${phases[1].trim()}`);
const files = r.testResults
  .map((f) => ({ name: f.name.replace(`${process.cwd()}/`, ""), ms: (f.endTime ?? 0) - (f.startTime ?? 0) }))
  .sort((a, b) => b.ms - a.ms);
const sum = files.reduce((s, f) => s + f.ms, 0);
console.log(`sum of per-file times: ${(sum / 1000).toFixed(1)} s over ${files.length} files; slowest:`);
for (const f of files.slice(0, 10)) console.log(`  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.name}`);
