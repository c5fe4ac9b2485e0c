/**
 * The console's search: a button in the shell (a plain link to /search without scripts)
 * and, with scripts, a dialog opened by `/` or Ctrl/⌘-K that searches as you type. Hits are
 * grouped by kind; ↓/↑ move between them, Enter opens one, Esc closes.
 */
import { clauseSeparator } from "~/lib/i18n/messages";
import { Link, useFetcher, useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import type { SearchData } from "~/routes/_app.search";

type Hit = SearchData["groups"][number]["hits"][number];

const STATUS_PREFIX: Record<string, string> = { payments: "paymentStatus", refunds: "refundStatus", payouts: "payoutStatus", links: "links.state", terminals: "terminalStatus", staff: "memberStatus" };

function HitText({ hit }: { hit: Hit }) {
  const t = useT();
  const fmt = useFormat();
  const status = hit.status ? t(`${STATUS_PREFIX[hit.kind]}.${hit.status}` as MessageKey) : null;
  const parts: string[] = [];
  const card = hit.cardBrand ? `${t(`cardBrand.${hit.cardBrand}` as MessageKey)}${hit.cardLast4 ? ` ${t("card.masked", { last4: fmt.digits(hit.cardLast4) })}` : ""}` : null;
  if (hit.kind === "payments") {
    if (hit.at) parts.push(fmt.dateTime(hit.at));
    if (card) parts.push(card);
    if (hit.detail) parts.push(hit.detail);
  } else if (hit.kind === "refunds") {
    if (hit.at) parts.push(fmt.dateTime(hit.at));
    // The card of the payment refunded: a search by last 4 shows why the refund was found.
    if (card) parts.push(card);
    if (hit.title) parts.push(t(`refundReason.${hit.title}` as MessageKey));
    if (hit.detail) parts.push(hit.detail);
  } else if (hit.kind === "payouts") {
    if (hit.at) parts.push(t("search.arrives", { day: fmt.day(hit.at) }));
    if (hit.title) parts.push(fmt.digits(hit.title));
    if (hit.detail) parts.push(t("search.trace", { trace: fmt.digits(hit.detail) }));
  } else if (hit.kind === "links") {
    if (hit.title) parts.push(hit.title);
    if (hit.at) parts.push(fmt.dateTime(hit.at));
    if (hit.detail) parts.push(t("search.paidCount", { count: Number(hit.detail) }));
  } else if (hit.kind === "views") {
    if (hit.detail) parts.push(t(`views.list.${hit.detail}` as MessageKey));
  } else {
    if (hit.detail) parts.push(hit.detail);
  }
  const head = hit.amount && hit.currency ? fmt.money(hit.amount, hit.currency) : hit.title ?? hit.id;
  return (
    <>
      <span className="search-hit-head">
        <span className={hit.amount ? "num" : undefined}>{head}</span>
        {status ? <span className={`badge badge-${hit.status}`}>{status}</span> : null}
      </span>
      <span className="search-hit-sub">{parts.join(clauseSeparator(t))}</span>
    </>
  );
}

/** Examples of what the box understands, in the reader's digits and calendar. */
export function useSearchHint(): string {
  const t = useT();
  const fmt = useFormat();
  return t("search.hint", { amount: 125, last4: fmt.digits("6605"), day: fmt.day("2026-12-06") });
}

export function SearchResults({ data, onPick }: { data: SearchData; onPick?: () => void }) {
  const t = useT();
  const fmt = useFormat();
  const total = data.groups.reduce((s, g) => s + g.hits.length, 0);
  return (
    <div className="search-results" aria-live="polite">
      {total === 0 ? (
        <p className="muted">{t("search.none", { q: fmt.digits(data.q) })}</p>
      ) : (
        data.groups.map((g) => (
          <section key={g.kind} aria-labelledby={`search-group-${g.kind}`}>
            <h2 id={`search-group-${g.kind}`} className="search-group">
              {t(`search.kind.${g.kind}` as MessageKey)}
            </h2>
            <ul>
              {g.hits.map((h) => (
                <li key={`${g.kind}-${h.id}`}>
                  <Link to={h.href} className="search-hit" onClick={onPick}>
                    <HitText hit={h} />
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </div>
  );
}

function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

const OPEN_EVENT = "console:open-search";

/** The shell's search button: the search page without scripts, the dialog with them. */
export function SearchTrigger() {
  const t = useT();
  return (
    <a
      href="/search"
      className="search-trigger"
      aria-keyshortcuts="/ Control+K Meta+K"
      onClick={(e) => {
        e.preventDefault();
        window.dispatchEvent(new Event(OPEN_EVENT));
      }}
    >
      <span>{t("search.button")}</span>
      <kbd aria-hidden="true">/</kbd>
    </a>
  );
}

export function SearchDialog() {
  const t = useT();
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const fetcher = useFetcher<SearchData>();
  const navigate = useNavigate();
  const [q, setQ] = useState("");
  const hint = useSearchHint();

  const open = useCallback(() => {
    const d = dialog.current;
    if (!d || d.open) return;
    d.showModal();
    input.current?.select();
  }, []);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        open();
      } else if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && !typingInField(e.target)) {
        e.preventDefault();
        open();
      }
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener(OPEN_EVENT, open);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener(OPEN_EVENT, open);
    };
  }, [open]);

  // Searches as you type, a moment after the last key.
  useEffect(() => {
    const text = q.trim();
    if (!text) return;
    const timer = setTimeout(() => fetcher.load(`/search?q=${encodeURIComponent(text)}`), 150);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);

  const move = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const links = Array.from(dialog.current?.querySelectorAll<HTMLAnchorElement>("a.search-hit") ?? []);
    if (!links.length) return;
    e.preventDefault();
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (e.key === "ArrowDown") links[at < 0 ? 0 : Math.min(at + 1, links.length - 1)]!.focus();
    else if (at <= 0) input.current?.focus();
    else links[at - 1]!.focus();
  };

  const close = () => dialog.current?.close();
  const data = q.trim() && fetcher.data && fetcher.data.q === q.trim() ? fetcher.data : null;

  return (
    <>
      <dialog ref={dialog} className="search-dialog" aria-labelledby="search-dialog-title" onKeyDown={move}>
        <form
          method="get"
          action="/search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const first = dialog.current?.querySelector<HTMLAnchorElement>("a.search-hit");
            close();
            navigate(first ? first.pathname : `/search?q=${encodeURIComponent(q.trim())}`);
          }}
        >
          <h2 id="search-dialog-title" className="visually-hidden">
            {t("search.title")}
          </h2>
          <label htmlFor="search-dialog-q" className="visually-hidden">
            {t("search.label")}
          </label>
          <input
            ref={input}
            id="search-dialog-q"
            type="search"
            name="q"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            placeholder={t("search.placeholder")}
            autoComplete="off"
          />
        </form>
        <p className="muted search-hint">{hint}</p>
        {data ? <SearchResults data={data} onPick={close} /> : null}
        <button type="button" className="btn search-close" onClick={close}>
          {t("search.close")}
        </button>
      </dialog>
    </>
  );
}
