/**
 * Finds user-visible text written directly in components instead of coming from the
 * message catalogs: JSX text, string literals rendered as children, user-visible
 * attributes (aria-label, title, placeholder, alt...) and route `meta` titles.
 *
 * A TypeScript-compiler walk, not a regex, so `t("nav.overview")` (a key inside a call)
 * and `className="btn"` are not mistaken for text. A literal can be let through with a
 * comment containing `i18n-ignore` on its line or the line above (a sample value like
 * "abcde-fghjk" is better passed as a message param than ignored).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export interface Literal {
  file: string;
  line: number;
  column: number;
  text: string;
  kind: "jsx-text" | "jsx-expression" | "attribute" | "meta";
}

/** Attributes a person reads or a screen reader speaks. */
export const VISIBLE_ATTRIBUTES = new Set([
  "aria-label",
  "aria-description",
  "aria-placeholder",
  "aria-roledescription",
  "aria-valuetext",
  "title",
  "placeholder",
  "alt",
  "label",
]);

const HAS_LETTER = /\p{L}/u;

/** String pieces an expression may render as is: through ?:, &&, ||, ??, + and templates, not into calls. */
function renderedStrings(node: ts.Expression): { node: ts.Node; text: string }[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [{ node, text: node.text }];
  if (ts.isTemplateExpression(node)) {
    const text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
    return [{ node, text }];
  }
  if (ts.isConditionalExpression(node)) return [...renderedStrings(node.whenTrue), ...renderedStrings(node.whenFalse)];
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (
      op === ts.SyntaxKind.AmpersandAmpersandToken ||
      op === ts.SyntaxKind.BarBarToken ||
      op === ts.SyntaxKind.QuestionQuestionToken ||
      op === ts.SyntaxKind.PlusToken
    ) {
      // `a && "x"` renders "x"; the left side of && is a condition, never rendered text.
      const left = op === ts.SyntaxKind.AmpersandAmpersandToken ? [] : renderedStrings(node.left);
      return [...left, ...renderedStrings(node.right)];
    }
    return [];
  }
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) {
    return renderedStrings(node.expression);
  }
  return [];
}

function attributeName(attr: ts.JsxAttribute): string {
  return attr.name.getText();
}

export function findLiterals(fileName: string, source: string): Literal[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const lines = source.split("\n");
  const found: Literal[] = [];

  const ignored = (node: ts.Node): boolean => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return /i18n-ignore/.test(lines[line] ?? "") || /i18n-ignore/.test(lines[line - 1] ?? "");
  };
  const report = (node: ts.Node, text: string, kind: Literal["kind"]) => {
    const clean = text.replace(/\s+/g, " ").trim();
    if (!HAS_LETTER.test(clean) || ignored(node)) return;
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push({ file: fileName, line: line + 1, column: character + 1, text: clean, kind });
  };

  const insideMeta = (node: ts.Node): boolean => {
    for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
      if (ts.isVariableDeclaration(p) && p.name.getText(sf) === "meta") return true;
      if (ts.isFunctionDeclaration(p) && p.name?.getText(sf) === "meta") return true;
    }
    return false;
  };

  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) {
      report(node, node.text, "jsx-text");
    } else if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) {
      for (const s of renderedStrings(node.expression)) report(s.node, s.text, "jsx-expression");
    } else if (ts.isJsxAttribute(node) && VISIBLE_ATTRIBUTES.has(attributeName(node)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init)) report(init, init.text, "attribute");
      else if (ts.isJsxExpression(init) && init.expression) {
        for (const s of renderedStrings(init.expression)) report(s.node, s.text, "attribute");
      }
    } else if (
      ts.isPropertyAssignment(node) &&
      ["title", "content"].includes(node.name.getText(sf)) &&
      insideMeta(node)
    ) {
      // meta's `content` is text only beside name: "description"; other metas carry tokens.
      const isDescription =
        node.name.getText(sf) === "title" ||
        (ts.isObjectLiteralExpression(node.parent) &&
          node.parent.properties.some(
            (p) => ts.isPropertyAssignment(p) && p.name.getText(sf) === "name" && /description/.test(p.initializer.getText(sf)),
          ));
      if (isDescription) for (const s of renderedStrings(node.initializer)) report(s.node, s.text, "meta");
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function walk(dir: string, out: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (entry.endsWith(".tsx")) out.push(full);
  }
  return out;
}

/** Every .tsx file under the given folders (relative to `root`), as repo-relative paths. */
export function componentFiles(root: string, folders: string[]): string[] {
  return folders
    .flatMap((f) => walk(join(root, f), []))
    .map((f) => relative(root, f).split("\\").join("/"))
    .sort();
}

export function literalsIn(root: string, file: string): Literal[] {
  return findLiterals(file, readFileSync(join(root, file), "utf8"));
}
