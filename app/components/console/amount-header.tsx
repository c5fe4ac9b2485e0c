/**
 * The head of a page about one movement of money (a payment, a payout): the way back to its
 * list, its amount as the title, its status (with what qualifies it) and its id, and its actions.
 */
import type { ReactNode } from "react";
import { StatusBadge } from "~/components/console/status-badge";
import { DetailHeader } from "~/components/page";
import { useFormat } from "~/lib/i18n/react";

export function AmountHeader({
  back,
  testId,
  movement,
  kind,
  badges,
  children,
}: {
  back: { to: string; label: ReactNode };
  /** The amount heading's test id. */
  testId: string;
  movement: { id: string; amount: string; currency: string; status: string };
  kind: "paymentStatus" | "payoutStatus";
  /** What qualifies the status (a refund), after its badge. */
  badges?: ReactNode;
  children?: ReactNode;
}) {
  const fmt = useFormat();
  return (
    <DetailHeader
      back={back}
      title={fmt.money(movement.amount, movement.currency)}
      heading={{ className: "num", "data-testid": testId }}
      intro={
        <>
          <StatusBadge kind={kind} status={movement.status} /> {badges ? <>{badges} </> : null}
          <span className="mono">{movement.id}</span>
        </>
      }
    >
      {children}
    </DetailHeader>
  );
}
