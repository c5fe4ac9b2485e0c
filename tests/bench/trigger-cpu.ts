/**
 * PostgreSQL's CPU for a payment's own rows, database against database (docs/write-path.md,
 * "PostgreSQL's share"): the payment's insert (pending), its capture (status, fee, the ledger
 * transaction and its three postings in one statement, as the API sends it) and a refund's
 * update of the payment (amount_refunded), each its own transaction, one connection, prepared
 * statements. The backend's CPU (from /proc, so the server must be on this machine) per
 * operation is printed for each database, in rounds that alternate between them:
 *   node --import tsx tests/bench/trigger-cpu.ts <url A> <url B> [rounds] [payments per round]
 * Rows are written into the bench's big merchant; run it on copies of a bench database. FLOOR=1
 * adds a one-row insert into a table with nothing on it (bench_floor, created): a commit's floor;
 * CLAIM=1 an Idempotency-Key's claim committed with and without waiting for its WAL flush.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import postgres from "postgres";
import { BIG_MERCHANT_ID } from "./merchants";

const urls = process.argv.slice(2).filter((a) => a.includes("://"));
const [rounds, perRound] = process.argv.slice(2).filter((a) => !a.includes("://")).map(Number);
const ROUNDS = rounds || 3;
const N = perRound || 300;

function cpuOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10; // ms
}

async function round(url: string): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [me] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    const pid = me!.pid;
    const [t] = await sql<{ id: string; currency: string }[]>`select t.id, m.currency from terminals t join merchants m on m.id = t.merchant_id
      where t.merchant_id = ${BIG_MERCHANT_ID} and t.kind = 'api' order by t.id limit 1`;
    const currency = String(t!.currency).trim();
    const ids = Array.from({ length: N }, () => `pay_tc_${crypto.randomBytes(10).toString("hex")}`);
    const out: Record<string, number> = {};
    const timed = async (name: string, fn: (id: string, i: number) => Promise<unknown>) => {
      const c0 = cpuOf(pid);
      for (let i = 0; i < N; i++) await fn(ids[i]!, i);
      out[name] = (cpuOf(pid) - c0) / N;
    };
    if (process.env.FLOOR === "1") {
      // The floor: a one-row insert and its commit into a table with no index, no key and no trigger.
      await sql`create table if not exists bench_floor (id text, at timestamptz)`;
      await timed("floor", (id) => sql`insert into bench_floor values (${id}, now())`);
    }
    if (process.env.CLAIM === "1") {
      // An Idempotency-Key's claim as the API sends it, committed with and without waiting for its WAL flush.
      const claimOp = (id: string, noWait: boolean) => sql`insert into idempotency_keys (merchant_id, scope, key, request_hash, method, path, state, response_body, created_at)
        select ${BIG_MERCHANT_ID}, ${t!.id}, ${id}, 'hash', 'POST', '/api/v1/payments', 'in_progress', '{"owner":{}}'::jsonb, now()
        where ${noWait ? sql`set_config('synchronous_commit', 'off', true) = 'off'` : sql`true`}
        on conflict do nothing returning key`;
      await timed("claim", (id) => claimOp(`${id}_s`, false));
      await timed("claim without flush wait", (id) => claimOp(`${id}_a`, true));
    }
    if (Number(process.env.BATCH) > 1) {
      // BATCH=k: the same insert and capture, k payments per transaction (db/batch.server.ts's
      // batches: k statements, one commit), and k per statement (one multi-row statement).
      const k = Number(process.env.BATCH);
      const bids = ids.map((id) => `${id}_b`);
      const mids = ids.map((id) => `${id}_m`);
      const grouped = async (name: string, fn: (q: postgres.Sql | postgres.TransactionSql, id: string, i: number) => Promise<unknown>, which: string[]) => {
        const c0 = cpuOf(pid);
        for (let i = 0; i < N; i += k) {
          await sql.begin((tx) => which.slice(i, i + k).map((id, j) => fn(tx, id, i + j)));
        }
        out[name] = (cpuOf(pid) - c0) / N;
      };
      const ins = (q: postgres.Sql | postgres.TransactionSql, id: string, i: number) => q`insert into payments (merchant_id, id, terminal_id, amount, currency, status, card_brand, card_funding,
        card_bin, card_last4, card_exp_month, card_exp_year, issuer_bank, description, idempotency_key, created_at, updated_at)
      values (${BIG_MERCHANT_ID}, ${id}, ${t!.id}, ${String(100000 + i)}, ${currency}, 'pending', 'visa', 'credit',
        '424242', '4242', 12, 2030, 'VISA', ${`tc ${i}`}, ${id}, now(), now())`;
      const cap = (q: postgres.Sql | postgres.TransactionSql, id: string, i: number) => q`update payments set status = 'captured', fee = 2900, provider_reference = ${`ref_${id}`}, authorized_at = now(), captured_at = now(), updated_at = now()
        where merchant_id = ${BIG_MERCHANT_ID} and id = ${id} and status = 'pending'`;
      await grouped(`insert, ${k} per transaction`, ins, bids);
      await grouped(`capture (payment row only), ${k} per transaction`, cap, bids);
      const c0 = cpuOf(pid);
      for (let i = 0; i < N; i += k) {
        const g = mids.slice(i, i + k);
        await sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status, card_brand, card_funding,
          card_bin, card_last4, card_exp_month, card_exp_year, issuer_bank, description, idempotency_key, created_at, updated_at)
          select ${BIG_MERCHANT_ID}, u.id, ${t!.id}, 100000, ${currency}, 'pending', 'visa', 'credit', '424242', '4242', 12, 2030, 'VISA', 'tc', u.id, now(), now()
          from unnest(${g}::text[]) u(id)`;
      }
      out[`insert, ${k} per statement`] = (cpuOf(pid) - c0) / N;
      const c1 = cpuOf(pid);
      for (let i = 0; i < N; i += k) {
        const g = mids.slice(i, i + k);
        await sql`update payments set status = 'captured', fee = 2900, provider_reference = 'ref_' || id, authorized_at = now(), captured_at = now(), updated_at = now()
          where merchant_id = ${BIG_MERCHANT_ID} and id = any(${g}::text[]) and status = 'pending'`;
      }
      out[`capture (payment row only), ${k} per statement`] = (cpuOf(pid) - c1) / N;
      const sids = ids.map((id) => `${id}_s`);
      const c2 = cpuOf(pid);
      for (let i = 0; i < N; i++) await ins(sql, sids[i]!, i);
      out["insert, 1 per transaction"] = (cpuOf(pid) - c2) / N;
      const c3 = cpuOf(pid);
      for (let i = 0; i < N; i++) await cap(sql, sids[i]!, i);
      out["capture (payment row only), 1 per transaction"] = (cpuOf(pid) - c3) / N;
    }
    await timed("insert", (id, i) => sql`insert into payments (merchant_id, id, terminal_id, amount, currency, status, card_brand, card_funding,
        card_bin, card_last4, card_exp_month, card_exp_year, issuer_bank, description, idempotency_key, created_at, updated_at)
      values (${BIG_MERCHANT_ID}, ${id}, ${t!.id}, ${String(100000 + i)}, ${currency}, 'pending', 'visa', 'credit',
        '424242', '4242', 12, 2030, 'VISA', ${`tc ${i}`}, ${id}, now(), now())`);
    await timed("capture", (id, i) => sql`with upd as (
        update payments set status = 'captured', fee = 2900, provider_reference = ${`ref_${id}`}, authorized_at = now(), captured_at = now(), updated_at = now()
        where merchant_id = ${BIG_MERCHANT_ID} and id = ${id} and status = 'pending' returning 1
      ), txn as (
        insert into ledger_transactions (merchant_id, id, category, currency, gross, fee, net, source_type, source_id, available_on)
        select ${BIG_MERCHANT_ID}, ${`txn_${id}`}, 'charge', ${currency}, ${String(100000 + i)}, 2900, ${String(97100 + i)}, 'payment', ${id}, now() + interval '1 day'
        where exists (select 1 from upd) returning id
      )
      insert into ledger_entries (merchant_id, transaction_id, line, account, currency, amount, available_on)
      select ${BIG_MERCHANT_ID}, txn.id, l.line, l.account::ledger_account, ${currency}, l.amount, now() + interval '1 day'
      from txn, (values (1, 'card_network', ${String(-100000 - i)}::bigint), (2, 'merchant_balance', ${String(97100 + i)}::bigint),
        (3, 'platform_fees', 2900::bigint)) l(line, account, amount)`);
    await timed("refund update", (id) => sql`update payments set amount_refunded = amount_refunded + 1, updated_at = now()
      where merchant_id = ${BIG_MERCHANT_ID} and id = ${id}`);
    return out;
  } finally {
    await sql.end();
  }
}

const all: Record<string, number[]>[] = urls.map(() => ({}));
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, url] of urls.entries()) {
    const got = await round(url);
    for (const [k, v] of Object.entries(got)) (all[i]![k] ??= []).push(v);
    console.log(`round ${r + 1} ${new URL(url).pathname.slice(1)}: ${Object.entries(got).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(", ")} ms`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [i, url] of urls.entries()) {
  console.log(`median ${new URL(url).pathname.slice(1)}: ${Object.entries(all[i]!).map(([k, v]) => `${k} ${median(v).toFixed(3)}`).join(", ")} ms of backend CPU per operation`);
}
