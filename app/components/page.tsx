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
