import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPORTS } from "~/modules/exports/registry.server";

// docs/reports.md (linked from the README) is where accountants and integrators look the columns up: it must not drift.
describe("docs/reports.md: Reports and CSV columns", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "../../../docs/reports.md"), "utf8");
  const start = readme.indexOf("# Reports and CSV columns");
  const section = readme.slice(start);

  it.each(Object.values(REPORTS).map((r) => [r.id, r] as const))("documents every column of %s and its defaults in order", (id, report) => {
    expect(start).toBe(0);
    const block = section.slice(section.indexOf(`<code>${id}.csv</code>`));
    const own = block.slice(0, block.indexOf("</details>"));
    for (const c of report.columns) expect(own, `${id}.${c.key}`).toContain(`| \`${c.key}\` |`);
    expect(own).toContain(`Default columns, in order: ${report.defaults.map((k) => `\`${k}\``).join(", ")}.`);
  });
});
