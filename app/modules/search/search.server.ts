/**
 * The global search: one parsed query (parse.ts) across the kinds of record the reader may
 * see, at most a few of each, newest first. Every query is scoped by merchant; what a role
 * may not open is not searched at all (the caller passes the permissions it checked).
 */
import { sql, type SQL } from "drizzle-orm";
import { db, rows } from "~db/client.server";
import type { CurrencyCode } from "~/lib/money";
import type { ListScope } from "~/modules/reporting/list-query.server";
import type { MemberActor } from "~/lib/vocabulary";
import { searchViews } from "~/modules/views/saved-views.server";
import { parseSearch, type SearchQuery } from "./parse";

export type SearchKind = "payments" | "refunds" | "payouts" | "customers" | "links" | "views" | "terminals" | "staff";

export interface SearchHit {
  kind: SearchKind;
  id: string;
  href: string;
  /** The row's facts; the page words and formats them. */
  amount: string | null;
  currency: string | null;
  status: string | null;
  at: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  title: string | null;
  detail: string | null;
}

export interface SearchResult {
  query: SearchQuery;
  groups: { kind: SearchKind; hits: SearchHit[] }[];
}

export interface SearchAccess {
  payments: boolean;
  cards: boolean;
  payouts: boolean;
  terminals: boolean;
  staff: boolean;
  links: boolean;
  /** Customers (subscriptions:view): by name, e-mail, phone, the merchant's reference or id. */
  customers: boolean;
  /** Saved views: the reader's own and the team's shared ones, on lists the reader may open. */
  views: MemberActor | null;
}

const PER_KIND = 6;
const ISO = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

function or(parts: (SQL | null)[]): SQL | null {
  const p = parts.filter((x): x is SQL => x !== null);
  return p.length ? sql`(${sql.join(p, sql` or `)})` : null;
}

function like(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A kind's condition: its matches and the day asked for, either of which may be missing;
 * null when neither was asked (the kind is not searched).
 */
function matchedOn(match: SQL | null, day: SQL | null): SQL | null {
  return match || day ? sql`${match ?? sql`true`} and ${day ?? sql`true`}` : null;
}

/** Day filter on a timestamp column in the merchant's zone. */
function onDay(col: string, day: string | null, tz: string): SQL | null {
  return day ? sql`(${sql.raw(col)} at time zone ${tz})::date = ${day}::date` : null;
}

/** What every kind's search works from: the parsed query as SQL fragments, and who asks. */
interface SearchContext {
  scope: ListScope;
  q: SearchQuery;
  access: SearchAccess;
  dbx: ReturnType<typeof db>;
  amounts: SQL | null;
  ids: SQL | null;
  text: string | null;
  refs: SQL | null;
  tz: string;
  now: Date;
}

const NO_FACTS = { amount: null, currency: null, status: null, at: null, cardBrand: null, cardLast4: null, title: null, detail: null };

function hit(kind: SearchKind, id: string, href: string, facts: Partial<Omit<SearchHit, "kind" | "id" | "href">>): SearchHit {
  return { kind, id, href, ...NO_FACTS, ...facts };
}

/** A card payment's or refund's facts: its money, status, time and card (the last 4 only to readers who may see cards). */
function cardMoneyFacts(
  r: { amount: string; currency: string; status: string; created_at: string; card_brand: string | null; card_last4: string | null },
  access: { cards: boolean },
): Partial<SearchHit> {
  return { amount: r.amount, currency: r.currency, status: r.status, at: r.created_at, cardBrand: r.card_brand, cardLast4: access.cards ? r.card_last4 : null };
}

/**
 * One entry per kind, in the order the page shows them: `search` gives the hits, or null
 * when the reader may not see the kind or the query has nothing to look for in it.
 */
const KINDS: { kind: SearchKind; search(c: SearchContext): Promise<SearchHit[]> | null }[] = [
  {
    kind: "views",
    search: ({ scope, access, q, text }) =>
      access.views && text
        ? searchViews(scope, access.views, q.text, PER_KIND).then((vs) => vs.map((v) => hit("views", v.id, v.href, { title: v.name, detail: v.list })))
        : null,
  },
  {
    kind: "payments",
    search: ({ access, q, ids, amounts, refs, text, tz, dbx, scope }) => {
      if (!access.payments) return null;
      const where = matchedOn(
        or([
          ids ? sql`p.id in ${ids}` : null,
          amounts ? sql`p.amount in ${amounts}` : null,
          q.last4 && access.cards ? sql`p.card_last4 = ${q.last4}` : null,
          refs ? sql`p.provider_reference in ${refs}` : null,
          text ? sql`(p.description ilike ${text} or p.customer_reference ilike ${text} or p.provider_reference ilike ${text})` : null,
        ]),
        onDay("p.created_at", q.day, tz),
      );
      if (!where) return null;
      return rows<{ id: string; amount: string; currency: string; status: string; created_at: string; card_brand: string; card_last4: string | null; description: string | null }>(
        dbx,
        sql`select p.id, p.amount::text as amount, p.currency, p.status::text as status, ${ISO("p.created_at")} as created_at,
                p.card_brand::text as card_brand, p.card_last4, p.description
              from payments p where p.merchant_id = ${scope.merchantId} and ${where}
              order by p.created_at desc, p.id desc limit ${PER_KIND}`,
      ).then((rs) =>
        rs.map((r) =>
          hit("payments", r.id, `/payments/${r.id}`, { ...cardMoneyFacts(r, access), detail: r.description }),
        ),
      );
    },
  },
  {
    kind: "refunds",
    search: ({ access, q, ids, amounts, refs, text, tz, dbx, scope }) => {
      if (!access.payments) return null;
      const where = matchedOn(
        or([
          ids ? sql`r.id in ${ids}` : null,
          ids ? sql`r.payment_id in ${ids}` : null,
          amounts ? sql`r.amount in ${amounts}` : null,
          // A card's last 4 finds the refunds of the payments made with it, as it finds those payments.
          q.last4 && access.cards ? sql`p.card_last4 = ${q.last4}` : null,
          text ? sql`r.note ilike ${text}` : null,
          refs ? sql`r.provider_reference in ${refs}` : null,
        ]),
        onDay("r.created_at", q.day, tz),
      );
      if (!where) return null;
      return rows<{ id: string; payment_id: string; amount: string; currency: string; status: string; created_at: string; note: string | null; reason: string; card_brand: string | null; card_last4: string | null }>(
        dbx,
        sql`select r.id, r.payment_id, r.amount::text as amount, r.currency, r.status::text as status, ${ISO("r.created_at")} as created_at, r.note, r.reason::text as reason,
                p.card_brand::text as card_brand, p.card_last4
              from refunds r join payments p on p.merchant_id = r.merchant_id and p.id = r.payment_id
              where r.merchant_id = ${scope.merchantId} and ${where}
              order by r.created_at desc, r.id desc limit ${PER_KIND}`,
      ).then((rs) =>
        rs.map((r) =>
          hit("refunds", r.id, `/payments/${r.payment_id}`, { ...cardMoneyFacts(r, access), title: r.reason, detail: r.note }),
        ),
      );
    },
  },
  {
    kind: "payouts",
    search: ({ access, q, ids, amounts, refs, text, dbx, scope }) => {
      if (!access.payouts) return null;
      const where = matchedOn(
        or([
          ids ? sql`po.id in ${ids}` : null,
          amounts ? sql`po.amount in ${amounts}` : null,
          refs ? sql`po.trace_number in ${refs}` : null,
          text ? sql`po.trace_number ilike ${text}` : null,
          q.sheba ? sql`po.bank_account_id in (select id from merchant_bank_accounts where merchant_id = ${scope.merchantId} and replace(upper(account_number), ' ', '') = ${q.sheba})` : null,
          q.last4 ? sql`po.bank_account_mask like ${`%${q.last4}`}` : null,
        ]),
        q.day ? sql`po.expected_arrival_date = ${q.day}::date` : null,
      );
      if (!where) return null;
      return rows<{ id: string; amount: string; currency: string; status: string; day: string; trace_number: string | null; bank_account_mask: string | null }>(
        dbx,
        sql`select po.id, po.amount::text as amount, po.currency, po.status::text as status, po.expected_arrival_date::text as day, po.trace_number, po.bank_account_mask
              from payouts po where po.merchant_id = ${scope.merchantId} and ${where}
              order by po.created_at desc, po.id desc limit ${PER_KIND}`,
      ).then((rs) =>
        rs.map((r) =>
          hit("payouts", r.id, `/payouts/${r.id}`, { amount: r.amount, currency: r.currency, status: r.status, at: r.day, title: r.bank_account_mask, detail: r.trace_number }),
        ),
      );
    },
  },
  {
    kind: "customers",
    search: ({ access, q, ids, text, dbx, scope }) => {
      if (!access.customers || !(text || ids || q.last4)) return null;
      const match = or([
        ids ? sql`c.id in ${ids}` : null,
        text ? sql`(c.name ilike ${text} or c.email ilike ${text} or c.reference ilike ${text} or c.phone ilike ${text})` : null,
        // A phone number is typed as digits: its last four find it as a card's would.
        q.last4 ? sql`regexp_replace(coalesce(c.phone, ''), '[^0-9]', '', 'g') like ${`%${q.last4}`}` : null,
      ]);
      return rows<{ id: string; name: string; email: string | null; reference: string | null; created_at: string }>(
        dbx,
        sql`select c.id, c.name, c.email, c.reference, ${ISO("c.created_at")} as created_at from customers c
            where c.merchant_id = ${scope.merchantId} and ${match ?? sql`false`}
            order by c.created_at desc, c.id desc limit ${PER_KIND}`,
      ).then((rs) =>
        rs.map((r) =>
          hit("customers", r.id, `/customers/${r.id}`, { at: r.created_at, title: r.name, detail: [r.email, r.reference].filter(Boolean).join(" · ") || null }),
        ),
      );
    },
  },
  {
    kind: "links",
    search: ({ access, q, ids, amounts, text, tz, dbx, scope, now }) => {
      if (!access.links) return null;
      const where = matchedOn(
        or([
          ids ? sql`l.id in ${ids}` : null,
          amounts ? sql`l.amount in ${amounts}` : null,
          // A link that lets the cardholder choose the amount is found by any amount it accepts.
          ...q.amounts.map((a) => sql`(l.amount is null and ${a.toString()}::bigint between l.min_amount and l.max_amount)`),
          text ? sql`l.description ilike ${text}` : null,
        ]),
        onDay("l.created_at", q.day, tz),
      );
      if (!where) return null;
      return rows<{ id: string; description: string; amount: string | null; min_amount: string | null; currency: string; status: string; created_at: string; paid: number }>(
        dbx,
        sql`select l.id, l.description, l.amount::text as amount, l.min_amount::text as min_amount, l.currency, ${ISO("l.created_at")} as created_at, paid.n as paid,
                case when l.status = 'deactivated' then 'deactivated' when not l.reusable and paid.n > 0 then 'used'
                     when l.expires_at <= ${now.toISOString()}::timestamptz then 'expired' else 'active' end as status
              from payment_links l
              cross join lateral (select count(*)::int as n from payments p where p.merchant_id = l.merchant_id and p.payment_link_id = l.id and p.status in ('captured', 'authorized')) paid
              where l.merchant_id = ${scope.merchantId} and ${where}
              order by l.created_at desc, l.id desc limit ${PER_KIND}`,
      ).then((rs) =>
        rs.map((r) =>
          hit("links", r.id, `/links/${r.id}`, { amount: r.amount ?? r.min_amount, currency: r.currency, status: r.status, at: r.created_at, title: r.description, detail: String(r.paid) }),
        ),
      );
    },
  },
  {
    kind: "terminals",
    search: ({ access, ids, text, dbx, scope }) =>
      access.terminals && (text || ids)
        ? rows<{ id: string; name: string; location: string | null; status: string; kind: string }>(
            dbx,
            sql`select t.id, t.name, t.location, t.status::text as status, t.kind::text as kind from terminals t
            where t.merchant_id = ${scope.merchantId} and ${or([ids ? sql`t.id in ${ids}` : null, text ? sql`(t.name ilike ${text} or t.location ilike ${text})` : null])}
            order by t.name limit ${PER_KIND}`,
          ).then((rs) => rs.map((r) => hit("terminals", r.id, `/terminals/${r.id}`, { status: r.status, title: r.name, detail: r.location })))
        : null,
  },
  {
    kind: "staff",
    search: ({ access, text, dbx, scope }) =>
      access.staff && text
        ? rows<{ id: string; name: string; email: string; role: string; status: string }>(
            dbx,
            sql`select u.id, u.name, u.email, m.role::text as role, m.status::text as status from memberships m join users u on u.id = m.user_id
            where m.merchant_id = ${scope.merchantId} and (u.name ilike ${text} or u.email ilike ${text})
            order by u.name limit ${PER_KIND}`,
          ).then((rs) => rs.map((r) => hit("staff", r.id, `/staff`, { status: r.status, title: r.name, detail: `${r.email} · ${r.role}` })))
        : null,
  },
];

export async function globalSearch(scope: ListScope, input: string, access: SearchAccess, now = new Date()): Promise<SearchResult> {
  const q = parseSearch(input.slice(0, 200), scope.currency as CurrencyCode);
  if (!q.normalized) return { query: q, groups: [] };
  const c: SearchContext = {
    scope,
    q,
    access,
    dbx: db(),
    amounts: q.amounts.length ? sql`(${sql.join(q.amounts.map((a) => sql`${a.toString()}::bigint`), sql`, `)})` : null,
    ids: q.ids.length ? sql`(${sql.join(q.ids.map((i) => sql`${i}`), sql`, `)})` : null,
    text: q.text.length >= 2 ? like(q.text) : null,
    refs: q.references.length ? sql`(${sql.join(q.references.map((r) => sql`${r}`), sql`, `)})` : null,
    tz: scope.timeZone,
    now,
  };
  const found = await Promise.all(KINDS.map((k) => k.search(c) ?? Promise.resolve([])));
  const groups = KINDS.map((k, i) => ({ kind: k.kind, hits: found[i]! })).filter((g) => g.hits.length > 0);
  return { query: q, groups };
}
