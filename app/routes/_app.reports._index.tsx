/**
 * /reports: pick a report, its period, time zone, columns (and their order), amount
 * format and Excel compatibility; see how many rows and roughly how large the file
 * will be; download. A GET form: every choice lives in the URL and the page works
 * without JavaScript (with it, the preview refreshes as choices change).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useRef, type FormEvent } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { useI18n } from "~/lib/i18n/react";
import { requireContext } from "~/modules/access/guard.server";
import { reportsPage } from "~/modules/exports/page.server";

export const meta: MetaFunction = () => [{ title: "Reports · Merchant Console" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "reports:export");
  const state = await reportsPage(ctx, new URL(request.url).searchParams);
  return json(state, { headers: { "Cache-Control": "private, no-store" } });
}

export { RouteErrorBoundary as ErrorBoundary };

// Page words in both languages the console speaks (report and column names are the
// file's own vocabulary and stay as they appear in the CSV).
const WORDS = {
  en: {
    title: "Reports",
    subtitle: "CSV exports for closing the books. Every report ties out to the ledger.",
    report: "Report",
    period: "Period",
    start: "Start date (included)",
    end: "End date (not included)",
    periodHint: "Whole days from 00:00 of the start date up to, not including, 00:00 of the end date, in the time zone below. Leave both empty for all time.",
    arrivalHint: "Payouts whose expected arrival date is on or after the start date and before the end date.",
    payout: "Or a single payout",
    payoutHint: "A payout id (po_…): its rows sum to its amount.",
    timeZone: "Time zone",
    timeZoneHint: "Any IANA zone. Local-time columns are named with it; the _utc columns stay in UTC.",
    merchantZone: "the merchant's",
    columns: "Columns",
    columnsHint: "Tick the columns to include; the arrows change their order in the file.",
    up: "Move up",
    down: "Move down",
    amounts: "Amounts",
    major: "Decimals of the currency (12.50)",
    minor: "Whole minor units (1250)",
    excel: "Excel compatible (UTF-8 byte-order mark)",
    excelHint: "Lets Excel show Persian text and symbols. Other programs read the file either way.",
    update: "Update preview",
    before: "Before you download",
    rows: "Rows",
    size: "Estimated size",
    file: "File",
    range: "Covers",
    zone: "Time zone",
    download: "Download CSV",
    empty: "No rows match: the file would hold only its header.",
    more: "Other filters (status, terminal, card, amount…): filter a list page and use its export link; it downloads exactly the rows of that list, every page of them.",
    fix: "Fix this to see the preview",
  },
  fa: {
    title: "گزارش‌ها",
    subtitle: "خروجی CSV برای بستن حساب‌ها. هر گزارش با دفتر کل تطبیق می‌کند.",
    report: "گزارش",
    period: "بازه",
    start: "تاریخ شروع (شامل)",
    end: "تاریخ پایان (غیر شامل)",
    periodHint: "روزهای کامل از ساعت ۰۰:۰۰ تاریخ شروع تا پیش از ساعت ۰۰:۰۰ تاریخ پایان، در منطقه زمانی زیر. برای همه زمان‌ها هر دو را خالی بگذارید.",
    arrivalHint: "تسویه‌هایی که تاریخ واریز پیش‌بینی‌شده‌شان از تاریخ شروع به بعد و پیش از تاریخ پایان است.",
    payout: "یا یک تسویه",
    payoutHint: "شناسه تسویه (po_…): جمع ردیف‌هایش برابر مبلغ آن است.",
    timeZone: "منطقه زمانی",
    timeZoneHint: "هر منطقه IANA. ستون‌های زمان محلی با نام آن منطقه نام‌گذاری می‌شوند و ستون‌های _utc به وقت UTC می‌مانند.",
    merchantZone: "منطقه پذیرنده",
    columns: "ستون‌ها",
    columnsHint: "ستون‌های دلخواه را علامت بزنید؛ با پیکان‌ها ترتیبشان را در فایل تغییر دهید.",
    up: "بالاتر",
    down: "پایین‌تر",
    amounts: "مبالغ",
    major: "اعشاری به واحد پول (12.50)",
    minor: "عدد صحیح به کوچک‌ترین واحد (1250)",
    excel: "سازگار با اکسل (نشانه ترتیب بایت UTF-8)",
    excelHint: "اکسل با آن متن فارسی را درست نشان می‌دهد. برنامه‌های دیگر در هر حال فایل را می‌خوانند.",
    update: "به‌روزرسانی پیش‌نمایش",
    before: "پیش از دریافت",
    rows: "تعداد ردیف",
    size: "حجم تقریبی",
    file: "فایل",
    range: "بازه",
    zone: "منطقه زمانی",
    download: "دریافت CSV",
    empty: "ردیفی پیدا نشد: فایل فقط سطر عنوان را دارد.",
    more: "فیلترهای دیگر (وضعیت، پایانه، کارت، مبلغ…): فهرست را فیلتر کنید و از پیوند خروجی آن استفاده کنید؛ دقیقاً همان ردیف‌ها، همه صفحه‌ها، دریافت می‌شود.",
    fix: "برای دیدن پیش‌نمایش این را اصلاح کنید",
  },
} as const;

const COMMON_ZONES = ["UTC", "Asia/Tehran", "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Dubai", "Asia/Istanbul", "Asia/Tokyo"];

function humanSize(bytes: number, number: (n: number) => string): string {
  if (bytes < 1024) return `${number(bytes)} B`;
  if (bytes < 1024 * 1024) return `${number(Math.round((bytes / 1024) * 10) / 10)} KB`;
  if (bytes < 1024 ** 3) return `${number(Math.round((bytes / 1024 ** 2) * 10) / 10)} MB`;
  return `${number(Math.round((bytes / 1024 ** 3) * 10) / 10)} GB`;
}

export default function Reports() {
  const s = useLoaderData<typeof loader>();
  const { prefs, fmt } = useI18n();
  const w = WORDS[prefs.locale === "fa" ? "fa" : "en"];
  const submit = useSubmit();
  const navigation = useNavigation();
  const form = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  // Ticks and choices refresh the preview at once; typing (a zone, a payout id) waits for a pause.
  const refresh = (e: FormEvent<HTMLFormElement>) => {
    const typing = e.target instanceof HTMLInputElement && e.target.type === "text";
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (form.current) submit(form.current, { replace: true, preventScrollReset: true });
    }, typing ? 700 : 0);
  };
  const err = (field: string) => (s.error?.field === field ? s.error.message : null);
  const busy = navigation.state !== "idle";
  const isArrival = s.report === "payouts" || s.report === "payout-reconciliation";

  return (
    <>
      <div className="page-header">
        <div>
          <h1>{w.title}</h1>
          <p>{w.subtitle}</p>
        </div>
      </div>
      <Form method="get" ref={form} onChange={refresh} aria-label={w.title} className="grid grid-2" key={s.report}>
        <input type="hidden" name="shown" value={s.report} />
        <input type="hidden" name="order" value={s.columns.map((c) => c.key).join(",")} />
        <input type="hidden" name="excel_shown" value="1" />
        <div>
          <fieldset className="card">
            <legend>{w.report}</legend>
            {s.reports.map((r) => (
              <label key={r.id} style={{ display: "flex", gap: "0.5rem", alignItems: "flex-start", marginBlockEnd: "0.6rem" }}>
                <input type="radio" name="report" value={r.id} defaultChecked={r.id === s.report} />
                <span lang="en" dir="ltr">
                  <strong>{r.title}</strong>
                  <br />
                  <span className="muted">{r.description}</span>
                </span>
              </label>
            ))}
          </fieldset>

          <fieldset className="card">
            <legend>{w.period}</legend>
            <div className="form-row">
              <div className="field">
                <label htmlFor="r-start">{w.start}</label>
                <input id="r-start" name="start" type="date" defaultValue={s.start} aria-invalid={err("start") || err("from") ? true : undefined} />
              </div>
              <div className="field">
                <label htmlFor="r-end">{w.end}</label>
                <input id="r-end" name="end" type="date" defaultValue={s.end} aria-invalid={err("end") || err("to") ? true : undefined} />
              </div>
            </div>
            <p className="hint muted">{isArrival ? w.arrivalHint : w.periodHint}</p>
            {s.uses.payout ? (
              <div className="field">
                <label htmlFor="r-payout">{w.payout}</label>
                <input id="r-payout" name="payout" type="text" defaultValue={s.payout} placeholder="po_…" aria-invalid={err("payout") ? true : undefined} />
                <span className="hint">{w.payoutHint}</span>
              </div>
            ) : null}
            <div className="field">
              <label htmlFor="r-tz">{w.timeZone}</label>
              <input id="r-tz" name="tz" type="text" list="r-tz-list" defaultValue={s.timeZone} aria-invalid={err("tz") ? true : undefined} autoComplete="off" spellCheck={false} />
              <datalist id="r-tz-list">
                <option value={s.merchantTimeZone}>{w.merchantZone}</option>
                {COMMON_ZONES.filter((z) => z !== s.merchantTimeZone).map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
              <span className="hint">{w.timeZoneHint}</span>
            </div>
          </fieldset>

          <fieldset className="card">
            <legend>{w.amounts}</legend>
            <label style={{ display: "block" }}>
              <input type="radio" name="amounts" value="major" defaultChecked={s.amounts === "major"} /> {w.major}
            </label>
            <label style={{ display: "block" }}>
              <input type="radio" name="amounts" value="minor" defaultChecked={s.amounts === "minor"} /> {w.minor}
            </label>
            <hr style={{ border: 0, borderBlockStart: "1px solid var(--border)", marginBlock: "0.75rem" }} />
            <label>
              <input type="checkbox" name="excel" value="1" defaultChecked={s.excel} /> {w.excel}
            </label>
            <p className="hint muted">{w.excelHint}</p>
          </fieldset>
        </div>

        <div>
          <section className="card" aria-labelledby="r-preview" aria-busy={busy}>
            <h2 id="r-preview">{w.before}</h2>
            {s.error ? (
              <div className="error-box" role="alert">
                <strong>{w.fix}:</strong> {s.error.message}
              </div>
            ) : null}
            {s.preview ? (
              <>
                <dl className="dl">
                  <dt>{w.rows}</dt>
                  <dd className="num" data-testid="preview-rows">{fmt.number(s.preview.rows)}</dd>
                  <dt>{w.size}</dt>
                  <dd className="num" data-testid="preview-size">≈ {humanSize(s.preview.estimatedBytes, (n) => fmt.number(n))}</dd>
                  <dt>{w.range}</dt>
                  <dd dir="ltr">{s.preview.rangeText}</dd>
                  <dt>{w.zone}</dt>
                  <dd dir="ltr">{s.preview.timeZone}</dd>
                  <dt>{w.file}</dt>
                  <dd dir="ltr">
                    <code style={{ overflowWrap: "anywhere" }}>{s.preview.fileName}</code>
                  </dd>
                </dl>
                {s.preview.rows === 0 ? <p className="muted">{w.empty}</p> : null}
                <p style={{ marginBlockStart: "1rem", display: "flex", gap: "0.5rem", flexWrap: "wrap" }}>
                  <a className="btn btn-primary" href={s.href} download={s.preview.fileName} data-testid="download">
                    {w.download}
                  </a>
                  <noscript>
                    <button type="submit" className="btn">
                      {w.update}
                    </button>
                  </noscript>
                </p>
              </>
            ) : (
              <noscript>
                <button type="submit" className="btn">
                  {w.update}
                </button>
              </noscript>
            )}
            <p className="hint muted">{w.more}</p>
          </section>

          <fieldset className="card">
            <legend>{w.columns}</legend>
            <p className="hint muted" style={{ marginBlockStart: 0 }}>{w.columnsHint}</p>
            {err("columns") ? <p className="field-error">{err("columns")}</p> : null}
            <ol style={{ listStyle: "none", padding: 0, margin: 0 }}>
              {s.columns.map((c, i) => (
                <li key={c.key} style={{ display: "flex", gap: "0.5rem", alignItems: "center", paddingBlock: "0.2rem", borderBlockEnd: "1px solid var(--border)" }}>
                  <input type="checkbox" name="col" value={c.key} id={`col-${c.key}`} defaultChecked={c.checked} />
                  <label htmlFor={`col-${c.key}`} style={{ flex: 1 }} title={c.doc}>
                    <code dir="ltr">{c.key}</code>{" "}
                    <span className="muted" style={{ fontSize: "0.85rem" }} lang="en" dir="ltr">
                      {c.doc}
                    </span>
                  </label>
                  <button type="submit" name="move" value={`${c.key}:up`} className="btn" disabled={i === 0} aria-label={`${w.up}: ${c.key}`} style={{ minHeight: 28, padding: "0 0.5rem" }}>
                    ↑
                  </button>
                  <button type="submit" name="move" value={`${c.key}:down`} className="btn" disabled={i === s.columns.length - 1} aria-label={`${w.down}: ${c.key}`} style={{ minHeight: 28, padding: "0 0.5rem" }}>
                    ↓
                  </button>
                </li>
              ))}
            </ol>
            <p style={{ marginBlockEnd: 0 }}>
              <button type="submit" className="btn">
                {w.update}
              </button>
            </p>
          </fieldset>
        </div>
      </Form>
    </>
  );
}
