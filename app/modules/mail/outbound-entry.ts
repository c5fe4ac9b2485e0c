/**
 * A message the app sends (an e-mail, a text message) as the Mailbox page shows it. The
 * outbox rows of both share these columns; the state rule is one: sent once it has a sent
 * time, else retrying after a failed attempt, else waiting (or kept: mail when no SMTP
 * server is configured stays in the outbox to be read here).
 */
export type OutboundState = "sent" | "kept" | "waiting" | "retrying";

export interface OutboundEntry<S extends OutboundState = OutboundState> {
  id: string;
  to: string;
  body: string;
  locale: "en" | "fa";
  kind: string | null;
  createdAt: string;
  sentAt: string | null;
  state: S;
  attempts: number;
  lastError: string | null;
}

interface OutboundRow {
  id: string;
  to: string;
  body: string;
  locale: string | null;
  kind: string | null;
  createdAt: Date;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
}

/** An outbox row as an entry; `deliverable` false: nothing sends it (mail without SMTP is kept). */
export function outboundEntry(m: OutboundRow, deliverable: true): OutboundEntry<Exclude<OutboundState, "kept">>;
export function outboundEntry(m: OutboundRow, deliverable: boolean): OutboundEntry;
export function outboundEntry(m: OutboundRow, deliverable: boolean): OutboundEntry {
  return {
    id: m.id,
    to: m.to,
    body: m.body,
    locale: m.locale === "fa" ? "fa" : "en",
    kind: m.kind,
    createdAt: m.createdAt.toISOString(),
    sentAt: m.sentAt?.toISOString() ?? null,
    state: m.sentAt ? "sent" : !deliverable ? "kept" : m.lastError ? "retrying" : "waiting",
    attempts: m.attempts,
    lastError: m.lastError,
  };
}
