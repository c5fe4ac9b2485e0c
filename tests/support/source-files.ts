import fs from "node:fs";
import path from "node:path";

/** The repository's root. */
export const repoRoot = path.resolve(__dirname, "../..");

/**
 * The files below `dir` (relative to the root, joined with "/") whose name `keep` takes;
 * migrations and node_modules are passed over. For the tests that read the code itself.
 */
export function sourceFiles(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== "migrations" && e.name !== "node_modules") out.push(...sourceFiles(rel, keep));
    } else if (keep(e.name)) out.push(rel);
  }
  return out;
}
