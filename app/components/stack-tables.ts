/**
 * On a phone the console's tables (other than the lists, which stack their rows themselves)
 * show each row as a block of "label  value" lines instead of scrolling sideways. The labels
 * are the column headers: this copies each header's text onto its cells (`data-label`) and
 * marks the table `labelled`, which the stylesheet lays out only on narrow screens. Tables
 * marked `no-stack` (a few short ones) and those without a header row stay as they are.
 * Without scripts a table keeps its own sideways scroll box.
 */
import { useEffect } from "react";

function label(table: HTMLTableElement): void {
  const headRow = table.tHead?.rows[0];
  if (!headRow) return;
  const headers: string[] = [];
  for (const th of Array.from(headRow.cells)) {
    const text = (th.textContent ?? "").replace(/[↕▲▼]/g, "").trim();
    for (let i = 0; i < (th.colSpan || 1); i++) headers.push(text);
  }
  for (const body of [...Array.from(table.tBodies), ...(table.tFoot ? [table.tFoot] : [])]) {
    for (const row of Array.from(body.rows)) {
      let col = 0;
      for (const cell of Array.from(row.cells)) {
        const text = headers[col] ?? "";
        if (cell.getAttribute("data-label") !== text) cell.setAttribute("data-label", text);
        col += cell.colSpan || 1;
      }
    }
  }
  if (!table.classList.contains("labelled")) table.classList.add("labelled");
}

export function labelTables(root: ParentNode): void {
  for (const table of Array.from(root.querySelectorAll<HTMLTableElement>("table.table"))) {
    if (table.closest(".stackable") || table.classList.contains("no-stack")) continue;
    label(table);
  }
}

/** Keeps every table under `main` labelled as pages and their data change. */
export function useStackedTables(): void {
  useEffect(() => {
    const main = document.getElementById("main");
    if (!main) return;
    let queued = false;
    const run = () => {
      queued = false;
      labelTables(main);
    };
    run();
    const observer = new MutationObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(run);
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
}
