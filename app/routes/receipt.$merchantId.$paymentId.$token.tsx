import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { PayLayout } from "~/components/pay/pay-layout";
import { ReceiptFacts } from "~/components/pay/result";
import { useT } from "~/lib/i18n/react";
import { translate } from "~/lib/i18n/translate";
import payStyles from "~/styles/pay.css";
import { receiptByToken } from "~/modules/payment-links/checkout.server";
import { payPreferences } from "~/web/payment-links/public.server";

// A payment's receipt for the customer, by the signed link support or the receipt message sent.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: payStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: translate(data?.prefs.locale ?? "fa", "pay.receipt.pageTitle", { merchant: data?.receipt.merchantName ?? "" }) },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const found = await receiptByToken(params.merchantId ?? "", params.paymentId ?? "", params.token ?? "");
  if (!found) throw new Response("Not found", { status: 404 });
  const { prefs, headers } = payPreferences(request, found.merchant);
  return json({ prefs, receipt: found.receipt, path: new URL(request.url).pathname }, { headers });
}

export default function PublicReceipt() {
  const { receipt: r, path } = useLoaderData<typeof loader>();
  const t = useT();
  const moved = r.status === "captured" || r.status === "authorized";
  return (
    <PayLayout merchantName={r.merchantName} path={path}>
      <section className="pay-card" aria-labelledby="r-h" data-testid="receipt">
        <h1 id="r-h" className={moved ? "pay-ok" : "pay-bad"}>
          {moved ? t("pay.result.paid") : r.status === "pending" ? t("pay.pending.title") : t("pay.result.declined")}
        </h1>
        <dl className="dl pay-dl">
          <ReceiptFacts receipt={r} with={["merchant", "description", "reference", "paymentId"]} />
        </dl>
      </section>
    </PayLayout>
  );
}
