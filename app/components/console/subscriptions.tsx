/** Small pieces the customer, plan and subscription pages share. */
import { ExportLinks } from "~/components/page";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

/** The invoices export (CSV and Excel) of a filter: all of them, a customer's or a subscription's. */
export function InvoicesExport({ href }: { href: string }) {
  const t = useT();
  return <ExportLinks href={href} label={t("subs.exportInvoices")} excelLabel={t("subs.exportInvoicesExcel")} testId="export-invoices" />;
}

/** The invoices' export as a row of its own above a card's list (a customer's, a subscription's); nothing without `href`. */
export function InvoicesExportRow({ href }: { href: string | null }) {
  return href ? (
    <p className="actions-row">
      <InvoicesExport href={href} />
    </p>
  ) : null;
}

export function SubscriptionBadge({ status }: { status: string }) {
  const t = useT();
  const tone: Record<string, string> = { active: "active", trialing: "refunded", scheduled: "pending", past_due: "declined", unpaid: "failed", paused: "voided", canceled: "canceled" };
  return <span className={`badge badge-${tone[status] ?? status}`}>{t(`subscriptionStatus.${status}` as MessageKey)}</span>;
}

export function InvoiceBadge({ status }: { status: string }) {
  const t = useT();
  const tone: Record<string, string> = { paid: "paid", open: "pending", draft: "voided", uncollectible: "failed", void: "canceled" };
  return <span className={`badge badge-${tone[status] ?? status}`}>{t(`invoiceStatus.${status}` as MessageKey)}</span>;
}

/** "Monthly", "Every 3 months", "Yearly". */
export function Cadence({ interval, count }: { interval: string; count: number }) {
  const t = useT();
  return <>{t(`plans.every.${interval}` as MessageKey, { count })}</>;
}
