/**
 * What every console page repeats around its own content: the header (title, one line
 * under it, actions), the note a redirect leaves with `?done=`, a table's frame and its paging links.
 */
import { Link, useSearchParams } from "@remix-run/react";
import { Fragment, type CSSProperties, type HTMLAttributes, type ReactNode } from "react";
import { workbookHref } from "~/components/console/url";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

/** The heading's own attributes, where its title is not plain text (an amount, a URL, an event type). */
type HeadingProps = HTMLAttributes<HTMLHeadingElement> & { "data-testid"?: string };

export function PageHeader({ title, heading, intro, children }: { title: ReactNode; heading?: HeadingProps; intro?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1 {...heading}>{title}</h1>
        {intro ? <p>{intro}</p> : null}
      </div>
      {children ? <div className="header-actions">{children}</div> : null}
    </div>
  );
}

/**
 * The head of a page about one thing (a payment, a payout, a customer…): the way back to its
 * list, its name (or amount), one line of what it is (status, kind, id) and its actions.
 */
export function DetailHeader({ back, ...header }: { back: { to: string; label: ReactNode } } & Parameters<typeof PageHeader>[0]) {
  return (
    <>
      <p>
        <Link to={back.to}>{back.label}</Link>
      </p>
      <PageHeader {...header} />
    </>
  );
}

type SectionProps = {
  headingId: string;
  title: ReactNode;
  /** What stands beside the heading (a link to all of them, a hint); given, even as null, the heading sits in a section header. */
  aside?: ReactNode;
  className?: string;
  children?: ReactNode;
} & Omit<HTMLAttributes<HTMLElement>, "title">;

/** A part of a page with its own heading, which names it for assistive technology (`headingId`). */
export function Section({ headingId, title, aside, children, ...rest }: SectionProps) {
  const heading = <h2 id={headingId}>{title}</h2>;
  return (
    <section aria-labelledby={headingId} {...rest}>
      {aside === undefined ? (
        heading
      ) : (
        <div className="section-header">
          {heading}
          {aside}
        </div>
      )}
      {children}
    </section>
  );
}

/** A Section drawn as a card. */
export function Card({ className, ...rest }: SectionProps) {
  return <Section className={className ? `card ${className}` : "card"} {...rest} />;
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

/** A right-aligned column of numbers (amounts, counts, rates). */
export function num(label: ReactNode): Column {
  return { label, className: "num" };
}

/**
 * A table in its scrolling frame, with its caption and column headers; the rows are the children
 * (a `<tbody>`). `empty` is said under the headers when there are no rows; `region` (the id of
 * the heading that names it) makes a frame that scrolls focusable, so a keyboard can scroll it too.
 */
export function Table({
  columns,
  caption,
  hiddenCaption = false,
  className,
  wrapClassName,
  wrapStyle,
  region,
  empty,
  children,
}: {
  columns: readonly Column[];
  caption?: ReactNode;
  /** The caption is for screen readers only (a heading above already names the table). */
  hiddenCaption?: boolean;
  className?: string;
  wrapClassName?: string;
  wrapStyle?: CSSProperties;
  region?: string;
  empty?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div
      className={wrapClassName ? `table-wrap ${wrapClassName}` : "table-wrap"}
      style={wrapStyle}
      {...(region ? { tabIndex: 0, role: "region", "aria-labelledby": region } : {})}
    >
      <table className={className ? `table ${className}` : "table"}>
        {caption ? <caption className={hiddenCaption ? "visually-hidden" : undefined}>{caption}</caption> : null}
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
      {empty ? <div className="empty-state">{empty}</div> : null}
    </div>
  );
}

/**
 * A list row's head cell: the thing's name, linking to its page, over its id (or a note such
 * as a terminal's location) in small type.
 */
export function RowHead({ to, name, id, note }: { to: string; name: ReactNode; id?: string; note?: ReactNode }) {
  return (
    <th scope="row">
      <Link to={to} className="row-link">
        {name}
      </Link>
      {id ? <div className="muted mono">{id}</div> : null}
      {note ? <div className="muted">{note}</div> : null}
    </th>
  );
}

/** A CSV export and the same as an Excel workbook, side by side (the caller gives the frame: a header's actions, a row). */
export function ExportLinks({ href, label, excelLabel, testId }: { href: string; label: ReactNode; excelLabel: ReactNode; testId?: string }) {
  return (
    <>
      <a className="btn" href={href} download data-testid={testId}>
        {label}
      </a>
      <a className="btn" href={workbookHref(href)} download>
        {excelLabel}
      </a>
    </>
  );
}

/**
 * Newest / older links under a list paged by `?before=` (a keyset on the newest-first order):
 * "newest" drops the cursor, "older" moves it to the last row shown. Other parameters are kept.
 */
export function BeforeLinks({ path, before, nextBefore, newest, older }: { path: string; before: unknown; nextBefore: string | number | null; newest: ReactNode; older: ReactNode }) {
  const t = useT();
  const [params] = useSearchParams();
  const next = new URLSearchParams(params);
  if (nextBefore) next.set("before", String(nextBefore));
  return (
    <nav className="pagination" aria-label={t("table.pagination")}>
      {before ? <Link to={`${path}?${new URLSearchParams([...params].filter(([k]) => k !== "before"))}`}>{newest}</Link> : <span />}
      {nextBefore ? <Link to={`${path}?${next}`}>{older}</Link> : null}
    </nav>
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

/**
 * What one thing is, fact by fact: label beside value (stacked on a phone). As with Facts, a
 * fact whose value is null, false or "" is left out, so a page lists its facts once and says
 * which are optional by their values.
 */
export function DetailList({ items }: { items: readonly Fact[] }) {
  return (
    <dl className="dl">
      {items
        .filter(([, v]) => v !== null && v !== undefined && v !== false && v !== "")
        .map(([label, value], i) => (
          <Fragment key={i}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
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
