import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { componentFiles, findLiterals, literalsIn } from "./literals";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCANNED = [...componentFiles(ROOT, ["app/routes", "app/components"]), "app/root.tsx"];

/**
 * Files written before their strings moved to the catalogs. The list only shrinks:
 * a converted file must leave it (the test says so), and a new page uses useT() from
 * the start. Convert with keys named as in app/lib/i18n/en.ts (`payments.filters.status`).
 */
const ALLOWLIST = new Set<string>([
]);

function describeLiterals(file: string): string {
  return literalsIn(ROOT, file)
    .map((l) => `  ${l.file}:${l.line}:${l.column} ${l.kind}: ${JSON.stringify(l.text)}`)
    .join("\n");
}

describe("no user-visible literals in components", () => {
  it.each(SCANNED.filter((f) => !ALLOWLIST.has(f)))("%s takes its text from the catalogs", (file) => {
    const literals = describeLiterals(file);
    expect(
      literals,
      `Text written directly in ${file}. Add keys to app/lib/i18n/en.ts and fa.ts and render t("area.key"):\n${literals}`,
    ).toBe("");
  });

  it.each([...ALLOWLIST])("%s is still waiting for conversion (else remove it from ALLOWLIST)", (file) => {
    expect(existsSync(`${ROOT}${file}`), `${file} no longer exists: remove it from ALLOWLIST`).toBe(true);
    expect(literalsIn(ROOT, file).length, `${file} has no literals left: remove it from ALLOWLIST`).toBeGreaterThan(0);
  });
});

describe("the literal finder", () => {
  const texts = (src: string) => findLiterals("x.tsx", src).map((l) => `${l.kind}:${l.text}`);

  it("finds JSX text, rendered string expressions, visible attributes and meta titles", () => {
    const src = `
      export const meta = () => [{ title: "Payments · Console" }, { name: "description", content: "All payments" }];
      export default function P({ busy, n }) {
        return (
          <main aria-label="Payments">
            <h1>Payments</h1>
            <input placeholder="Search by last 4" title={busy ? "Busy" : "Ready"} />
            <img alt="Logo" src="/x.svg" />
            <p>{busy ? "Saving…" : "Save"}</p>
            <p>{n === 0 && "Nothing yet"}</p>
            <p>{\`Showing \${n} rows\`}</p>
          </main>
        );
      }`;
    expect(texts(src)).toEqual([
      "meta:Payments · Console",
      "meta:All payments",
      "attribute:Payments",
      "jsx-text:Payments",
      "attribute:Search by last 4",
      "attribute:Busy",
      "attribute:Ready",
      "attribute:Logo",
      "jsx-expression:Saving…",
      "jsx-expression:Save",
      "jsx-expression:Nothing yet",
      "jsx-expression:Showing rows",
    ]);
  });

  it("lets through keys, technical attributes, punctuation, empty alt and ignored lines", () => {
    const src = `
      export const meta = ({ data }) => [{ title: data.title }, { name: "viewport", content: "width=device-width" }];
      export default function P({ t, amount }) {
        return (
          <section className="card grid" id="main" data-testid="gross-today" role="status">
            <h1>{t("payments.title")}</h1>
            <img alt="" src="/favicon.svg" />
            <span aria-label={t("shell.loading")}>{amount} · – ( ) 100%</span>
            {/* i18n-ignore: a brand name */}
            <b>Shetab</b>
            <input type="email" autoComplete="username" name="email" />
          </section>
        );
      }`;
    expect(texts(src)).toEqual([]);
  });
});
