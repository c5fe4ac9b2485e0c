/**
 * A short table of refunds (a payment's, the latest on the Overview): when, how much and its
 * status, then the page's own columns. Its caption is for screen readers (a heading names it).
 */
import type { ReactNode } from "react";
import { StatusBadge } from "~/components/console/status-badge";
import { num, Table, type Column } from "~/components/page";
import { useFormat, useT } from "~/lib/i18n/react";

export function RefundsTable<R extends { id: string; createdAt: string; amount: string; status: string }>({
  caption,
  refunds,
  currency,
  more,
}: {
  caption: string;
  refunds: readonly R[];
  currency: (refund: R) => string;
  /** The page's own columns after the status: their headers and each refund's cells (`<td>`s). */
  more: { columns: readonly Column[]; cells: (refund: R) => ReactNode };
}) {
  const t = useT();
  const fmt = useFormat();
  return (
    <Table caption={caption} hiddenCaption className="compact" columns={[t("common.date"), num(t("common.amount")), t("common.status"), ...more.columns]}>
      <tbody>
        {refunds.map((r) => (
          <tr key={r.id}>
            <td>{fmt.dateTime(r.createdAt)}</td>
            <td className="num">{fmt.money(r.amount, currency(r))}</td>
            <td>
              <StatusBadge kind="refundStatus" status={r.status} />
            </td>
            {more.cells(r)}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
