// Worker-thread entry of the benchmark's generator (load-generate.ts, TypeScript): a
// worker does not inherit the parent's `--import tsx`, so it loads the file through tsx here.
import { tsImport } from "tsx/esm/api";

await tsImport("./load-generate.ts", import.meta.url);
