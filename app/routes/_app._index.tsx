import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { formatMoney, type CurrencyCode } from "~/lib/money";
import { requireContext } from "~/modules/access/guard.server";
import { basicOverview } from "~/modules/reporting/overview.server";

export const meta: MetaFunction = () => [{ title: "Overview · Merchant Console" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "overview:view");
  const overview = await basicOverview(ctx.scope, ctx.merchant.timeZone);
  return json({
    merchant: { name: ctx.merchant.name, currency: ctx.merchant.currency, timeZone: ctx.merchant.timeZone },
    today: { gross: overview.today.grossVolume.toString(), count: overview.today.capturedCount },
    last30: { gross: overview.last30.grossVolume.toString(), count: overview.last30.capturedCount, from: overview.last30.from, to: overview.last30.to },
  });
}

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  const currency = data.merchant.currency as CurrencyCode;
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Overview</h1>
          <p>
            {data.merchant.name} · times in {data.merchant.timeZone}
          </p>
        </div>
      </div>
      <section className="kpi-grid" aria-label="Key figures">
        <div className="kpi">
          <div className="label">Gross volume today</div>
          <div className="value" data-testid="gross-today">{formatMoney(BigInt(data.today.gross), currency)}</div>
          <div className="muted">{data.today.count} successful payments</div>
        </div>
        <div className="kpi">
          <div className="label">Gross volume, last 30 days</div>
          <div className="value" data-testid="gross-30d">{formatMoney(BigInt(data.last30.gross), currency)}</div>
          <div className="muted">
            {data.last30.count} successful payments · {data.last30.from} to {data.last30.to}
          </div>
        </div>
      </section>
    </>
  );
}
