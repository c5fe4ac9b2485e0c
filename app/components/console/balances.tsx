import { Link } from "@remix-run/react";
import { useFormat, useT } from "~/lib/i18n/react";
import { StatusBadge } from "./status-badge";

/** JSON form of app/modules/settlements/balances.server.ts BalanceOverview. */
export interface BalanceData {
  currency: string;
  pending: string;
  available: string;
  inTransit: string;
  paidOut: string;
  upcoming: { id: string; amount: string; status: string; expectedArrivalDate: string }[];
  estimate: { cutoffAt: string; amount: string; expectedArrivalDate: string; willPayOut: boolean; minimumPayout: string } | null;
}

/** Balances and the next payout: what is on its way and what the next cutoff will send. */
export function BalanceSummary({ data, linkPayouts = true }: { data: BalanceData; linkPayouts?: boolean }) {
  const t = useT();
  const fmt = useFormat();
  const next = data.upcoming[0];
  return (
    <div className="balance-summary">
      <dl className="balances">
        <div>
          <dt>{t("balances.available")}</dt>
          <dd data-testid="balance-available">{fmt.money(data.available, data.currency)}</dd>
          {data.available.startsWith("-") ? (
            <dd className="muted hint" data-testid="balance-negative-reason">
              {t(data.pending !== "0" ? "balances.negativeHint" : "balances.negativeNoPending", {
                shortfall: fmt.money(-BigInt(data.available), data.currency),
                pending: fmt.money(data.pending, data.currency),
              })}
            </dd>
          ) : null}
        </div>
        <div>
          <dt>{t("balances.pending")}</dt>
          <dd>{fmt.money(data.pending, data.currency)}</dd>
        </div>
        <div>
          <dt>{t("balances.inTransit")}</dt>
          <dd>{fmt.money(data.inTransit, data.currency)}</dd>
        </div>
      </dl>
      <div className="next-payout">
        {next ? (
          <p>
            <strong>{t("balances.nextPayout")}</strong>{" "}
            {t("balances.nextPayoutText", { amount: fmt.money(next.amount, data.currency), date: fmt.day(next.expectedArrivalDate) })}{" "}
            <StatusBadge kind="payoutStatus" status={next.status} />{" "}
            {linkPayouts ? (
              <Link to={`/payouts/${next.id}`} className="mono">
                {next.id}
              </Link>
            ) : null}
          </p>
        ) : null}
        {data.estimate ? (
          <p className="muted">
            {data.estimate.willPayOut
              ? t("balances.estimate", {
                  amount: fmt.money(data.estimate.amount, data.currency),
                  cutoff: fmt.dateTime(data.estimate.cutoffAt),
                  date: fmt.day(data.estimate.expectedArrivalDate),
                })
              : // A minimum is a reason only when there is one and something positive falls short of it.
                BigInt(data.estimate.amount) < 0n
                ? t("balances.shortfallCarries", {
                    amount: fmt.money(-BigInt(data.estimate.amount), data.currency),
                    cutoff: fmt.dateTime(data.estimate.cutoffAt),
                  })
                : BigInt(data.estimate.amount) === 0n || BigInt(data.estimate.minimumPayout) === 0n
                  ? t("balances.nothingToPay", { cutoff: fmt.dateTime(data.estimate.cutoffAt) })
                  : t("balances.belowMinimum", {
                      amount: fmt.money(data.estimate.amount, data.currency),
                      minimum: fmt.money(data.estimate.minimumPayout, data.currency),
                    })}
          </p>
        ) : null}
        {data.upcoming.length > 1 ? (
          <p className="muted">{t("balances.moreUpcoming", { count: data.upcoming.length - 1 })}</p>
        ) : null}
      </div>
    </div>
  );
}
