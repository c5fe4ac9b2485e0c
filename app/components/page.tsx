/**
 * What every console page repeats around its own content: the header (title, one line
 * under it, actions), the note a redirect leaves with `?done=`, and a table's frame.
 */
import { Link, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

export function PageHeader({ title, intro, children }: { title: ReactNode; intro?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {intro ? <p>{intro}</p> : null}
      </div>
      {children ? <div className="header-actions">{children}</div> : null}
    </div>
  );
}

/** After post/redirect/get: the message for the `?done=` the action redirected with. */
export function DoneNotice({ messages, param = "done" }: { messages: Record<string, MessageKey>; param?: string }) {
  const [params] = useSearchParams();
  const t = useT();
  const done = params.get(param);
  const key = done && Object.hasOwn(messages, done) ? messages[done] : undefined;
  return key ? (
    <p className="success-box" role="status">
      {t(key)}
    </p>
  ) : null;
}

export type Column = ReactNode | { label: ReactNode; className?: string };

/** A table in its scrolling frame, with its caption and column headers; the rows are the children. */
export function Table({
  columns,
  caption,
  className,
  wrapClassName,
  children,
}: {
  columns: readonly Column[];
  caption?: ReactNode;
  className?: string;
  wrapClassName?: string;
  children: ReactNode;
}) {
  return (
    <div className={wrapClassName ? `table-wrap ${wrapClassName}` : "table-wrap"}>
      <table className={className ? `table ${className}` : "table"}>
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c, i) =>
              typeof c === "object" && c !== null && "label" in c ? (
                <th key={i} scope="col" className={c.className}>
                  {c.label}
                </th>
              ) : (
                <th key={i} scope="col">
                  {c}
                </th>
              ),
            )}
          </tr>
        </thead>
        {children}
      </table>
    </div>
  );
}

/** Previous / next page links under a paged list (see ~/lib/paging). Nothing when it has one page. */
export function PageLinks({ page, hasNext, href }: { page: number; hasNext: boolean; href: (n: number) => string }) {
  const t = useT();
  if (page <= 1 && !hasNext) return null;
  return (
    <nav className="pagination" aria-label={t("table.pagination")}>
      {page > 1 ? <Link to={href(page - 1)}>{t("table.previousPage")}</Link> : <span />}
      {hasNext ? <Link to={href(page + 1)}>{t("table.nextPage")}</Link> : null}
    </nav>
  );
}

export type Fact = readonly [label: ReactNode, value: ReactNode];

/**
 * A few facts about one thing on one line that wraps ("To x@y.test  Written 6 Dec  Sent"),
 * each with its own label, instead of values glued together with " · " (a middle dot beside
 * Persian digits reads as a zero, and a run of values says nothing about which is which).
 * `inline` renders spans, for phrasing-only places such as a <summary>; otherwise a <dl>.
 * A fact whose value is null or "" is left out.
 */
export function Facts({ items, inline = false, className }: { items: readonly Fact[]; inline?: boolean; className?: string }) {
  const shown = items.filter(([, v]) => v !== null && v !== undefined && v !== "");
  const cls = className ? `facts ${className}` : "facts";
  if (inline) {
    return (
      <span className={cls}>
        {shown.map(([label, value], i) => (
          <span className="fact" key={i}>
            <span className="fact-label">{label}</span> <span className="fact-value">{value}</span>
          </span>
        ))}
      </span>
    );
  }
  return (
    <dl className={cls}>
      {shown.map(([label, value], i) => (
        <div className="fact" key={i}>
          <dt className="fact-label">{label}</dt>
          <dd className="fact-value">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Links side by side (wrapping), as a list rather than a line of links glued with " · ". */
export function LinkRow({ children, label }: { children: ReactNode[]; label?: string }) {
  return (
    <ul className="link-row" aria-label={label}>
      {children.map((c, i) => (
        <li key={i}>{c}</li>
      ))}
    </ul>
  );
}
