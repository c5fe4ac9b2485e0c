import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { pageTitle } from "~/components/console/meta";
import consoleStyles from "~/styles/console.css";
import { RouteErrorBoundary } from "~/components/route-error";
import { useFormat, useT } from "~/lib/i18n/react";
import { listMailbox, type MailboxEntry } from "~/modules/mail/mailbox.server";
import { listSms, type SmsEntry } from "~/modules/sms/sms.server";
import { requireContext } from "~/web/guard.server";
import { Facts, PageHeader } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "mailbox.title");

/**
 * The outbox as its reader sees it: their own mail (every mail in development), newest first;
 * ?tab=sms: the text messages the console wrote to this merchant's customers (dunning, receipts).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const tab = new URL(request.url).searchParams.get("tab") === "sms" ? "sms" : "mail";
  const headers = { "Cache-Control": "private, no-store" };
  const sms: SmsEntry[] = tab === "sms" ? await listSms(ctx.scope.merchantId) : [];
  const box = tab === "mail" ? await listMailbox({ email: ctx.user.email }) : { all: false, smtp: false, mails: [] as MailboxEntry[] };
  return json({ tab, sms, merchantName: ctx.merchant.name, ...box, email: ctx.user.email }, { headers });
}

/** The mail's text with its links clickable (each link is on a line of its own in our mail). */
function linked(body: string) {
  return body.split(/(https?:\/\/[^\s]+)/g).map((part, i) =>
    i % 2 === 1 ? (
      <a key={i} href={part} dir="ltr">
        {part}
      </a>
    ) : (
      part
    ),
  );
}

type Sent = { createdAt: string; state: string; locale: string; body: string; attempts: number; lastError: string | null };

/** To whom, when and how far a mail or a text message got. */
function SentFacts({ m, to, state, inline }: { m: Sent; to: string; state: string; inline?: boolean }) {
  const t = useT();
  const fmt = useFormat();
  return (
    <Facts
      inline={inline}
      className="mailbox-meta"
      items={[
        [t("mailbox.to"), <bdi dir="ltr" key="to">{to}</bdi>],
        [t("mailbox.written"), fmt.dateTime(m.createdAt)],
        [
          t("common.status"),
          <span key="state" className={`badge ${m.state === "sent" ? "badge-active" : m.state === "retrying" ? "badge-failed" : "badge-pending"}`}>
            {state}
          </span>,
        ],
      ]}
    />
  );
}

/** The last failure of one still being retried, then the text itself. */
function SentBody({ m, retrying }: { m: Sent; retrying: string }) {
  return (
    <>
      {m.state === "retrying" ? (
        <p className="error-box" role="status">
          {retrying} <span dir="ltr">{m.lastError}</span>
        </p>
      ) : null}
      <pre className="mailbox-body" lang={m.locale} dir={m.locale === "fa" ? "rtl" : "ltr"}>
        {linked(m.body)}
      </pre>
    </>
  );
}

/** One tab of the outbox: a note on where its messages go, then them (or that there are none). */
function Outbox<T extends { id: string }>({ note, empty, items, children }: { note: string; empty: string; items: readonly T[]; children: (m: T) => ReactNode }) {
  return (
    <>
      <p className="notice" role="note">
        {note}
      </p>
      {items.length === 0 ? (
        <p className="empty-state">{empty}</p>
      ) : (
        <ul className="mailbox-list">
          {items.map((m) => (
            <li key={m.id} className="card mailbox-item">
              {children(m)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export default function Mailbox() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  return (
    <>
      <PageHeader
        title={t("mailbox.title")}
        intro={data.tab === "sms" ? t("mailbox.sms.subtitle", { merchant: data.merchantName }) : data.all ? t("mailbox.subtitleAll") : t("mailbox.subtitle", { email: data.email })}
      />
      <nav className="status-tabs" aria-label={t("mailbox.tabs")}>
        <Link to="/mailbox" aria-current={data.tab === "mail" ? "page" : undefined} className="btn">
          {t("mailbox.tab.mail")}
        </Link>
        <Link to="/mailbox?tab=sms" aria-current={data.tab === "sms" ? "page" : undefined} className="btn">
          {t("mailbox.tab.sms")}
        </Link>
      </nav>
      {data.tab === "sms" ? (
        <Outbox note={t("mailbox.sms.sandbox")} empty={t("mailbox.sms.empty")} items={data.sms}>
          {(m) => (
            <>
              <SentFacts m={m} to={fmt.digits(m.to)} state={t(`mailbox.sms.state.${m.state}`)} />
              <SentBody m={m} retrying={t("mailbox.sms.lastError", { attempts: m.attempts })} />
            </>
          )}
        </Outbox>
      ) : (
        <MailList data={data} />
      )}
    </>
  );
}

function MailList({ data }: { data: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const t = useT();
  return (
    <Outbox note={data.smtp ? t("mailbox.smtpOn") : t("mailbox.smtpOff")} empty={t("mailbox.empty")} items={data.mails}>
      {(m) => (
        <details>
          <summary>
            <span className="mailbox-subject" lang={m.locale} dir={m.locale === "fa" ? "rtl" : "ltr"}>
              {m.subject}
            </span>
            <SentFacts m={m} to={m.to} state={t(`mailbox.state.${m.state}`)} inline />
          </summary>
          <SentBody m={m} retrying={t("mailbox.lastError", { attempts: m.attempts })} />
          {m.attachments.length > 0 ? (
            <div className="mailbox-attachments muted">
              <h3>{t("mailbox.attachments")}</h3>
              <ul>
                {m.attachments.map((a, i) => (
                  <li key={i}>
                    <bdi dir="ltr">{a.filename}</bdi> {t("mailbox.attachment", { type: a.contentType, size: a.size })}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </details>
      )}
    </Outbox>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
