import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Field, Optional, RadioFieldset, SaveButton, useFormFailure } from "~/components/form";
import { useState } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { DayInput } from "~/components/day-input";
import { pageTitle } from "~/components/console/meta";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { requireAction, requireContext } from "~/web/guard.server";
import { CUSTOMER_FIELDS, LINK_DESCRIPTION_MAX } from "~/lib/payment-links";
import { listPaymentLinks, recentBlocks } from "~/modules/payment-links/links.server";
import { consoleLink, createLinkFromForm } from "~/web/payment-links/console.server";
import { Card, num, PageHeader, RowHead, Table } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "links.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "links:manage");
  const now = new Date();
  const [list, blocks] = await Promise.all([listPaymentLinks(ctx.scope, { now }), recentBlocks(ctx.scope, now)]);
  return json(
    {
      currency: ctx.merchant.currency,
      links: list.map(consoleLink),
      blocks: blocks.map((b) => ({ ip: b.clientIp, declines: b.declines, blockedAt: b.blockedAt.toISOString(), blockedUntil: b.blockedUntil.toISOString(), active: b.blockedUntil > now })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  // The schema reads the last day (a Jalali or impossible one is named beside its field).
  const { ctx, form } = await requireAction(request, "links:manage", { dates: false });
  const r = await createLinkFromForm(ctx, form, request);
  if (!r.ok) return r.response;
  return redirect(`/links/${r.link.id}?created=1`, 303);
}

function CreateLinkForm() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const values = form.values;
  const [mode, setMode] = useState(values.mode === "range" ? "range" : "fixed");
  const unit = data.currency === "IRR" ? t("money.unit.rial") : data.currency;
  const chosen = new Set((values.fields ?? "").split(","));
  return (
    <Card headingId="new-link-h" title={t("links.new")} className="section">
      <Form method="post" className="link-form">
        <CsrfInput />
        <ErrorSummary form={form} />
        <Field form={form} id="link-description" name="description" label={t("links.description")} hint={t("links.descriptionHint")} required maxLength={LINK_DESCRIPTION_MAX} />
        <RadioFieldset name="mode" legend={t("links.amountMode")} className="check" options={[{ value: "fixed", label: t("links.mode.fixed") }, { value: "range", label: t("links.mode.range") }]} checked={mode} onChange={setMode} />
        {mode === "fixed" ? (
          <Field form={form} id="link-amount" name="amount" label={t("links.amount", { unit })} inputMode="decimal" maxLength={40} />
        ) : (
          <div className="form-row">
            <Field form={form} id="link-min" name="minAmount" label={t("links.minAmount", { unit })} inputMode="decimal" maxLength={40} />
            <Field form={form} id="link-max" name="maxAmount" label={t("links.maxAmount", { unit })} inputMode="decimal" maxLength={40} />
          </div>
        )}
        <fieldset>
          <legend>{t("links.askFor")}</legend>
          {CUSTOMER_FIELDS.map((f) => (
            <label key={f} className="check">
              <input type="checkbox" name="fields" value={f} defaultChecked={chosen.has(f)} /> {t(`links.field.${f}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <RadioFieldset name="reusable" legend={t("links.useLabel")} className="check" options={[{ value: "no", label: t("links.use.single") }, { value: "yes", label: t("links.use.reusable") }]} checked={values.reusable === "yes" ? "yes" : "no"} />
        <div className="form-row">
          <Field form={form} id="link-expires" name="expiresAt" label={<Optional>{t("links.expiresAt")}</Optional>}>
            {(c) => <DayInput id={c.id} name={c.name} defaultValue={values.expiresAt ?? ""} invalid={!!c["aria-invalid"]} describedBy={c["aria-describedby"]} />}
          </Field>
          <Field form={form} id="link-redirect" name="redirectUrl" label={<Optional>{t("links.redirectUrl")}</Optional>} type="url" dir="ltr" maxLength={500} />
        </div>
        <SaveButton label={t("links.create")} />
      </Form>
    </Card>
  );
}

export default function LinksPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  return (
    <>
      <PageHeader title={t("links.title")} intro={t("links.subtitle")} />
      <Table
        caption={t("links.caption")}
        columns={[t("links.description"), t("common.status"), num(t("links.col.amount")), num(t("links.col.payments")), num(t("links.col.total")), t("links.col.expires")]}
        empty={data.links.length === 0 ? t("links.empty") : null}
      >
          <tbody>
            {data.links.map((l) => (
              <tr key={l.id}>
                <RowHead to={`/links/${l.id}`} name={l.description} id={l.id} />
                <td>
                  <span className={`badge link-state-${l.state}`}>{t(`links.state.${l.state}` as MessageKey)}</span>
                  <div className="muted">{l.reusable ? t("links.use.reusableShort") : t("links.use.singleShort")}</div>
                </td>
                <td className="num nowrap">
                  {l.amount ? fmt.money(l.amount) : t("links.range", { min: fmt.money(l.minAmount ?? "0"), max: fmt.money(l.maxAmount ?? "0") })}
                </td>
                <td className="num">{fmt.number(l.paidCount)}</td>
                <td className="num nowrap">{fmt.money(l.paidTotal)}</td>
                <td className="nowrap">{l.expiresAt ? fmt.dateTime(l.expiresAt) : t("links.noExpiry")}</td>
              </tr>
            ))}
          </tbody>
      </Table>
      {data.blocks.length ? (
        <Card headingId="blocks-h" title={t("links.blocks.title")} className="section">
          <p className="muted">{t("links.blocks.explain")}</p>
          <ul className="plain-list">
            {data.blocks.map((b) => (
              <li key={`${b.ip}-${b.blockedAt}`}>
                <span className="mono" dir="ltr">
                  {b.ip}
                </span>{" "}
                {t(b.active ? "links.blocks.activeLine" : "links.blocks.pastLine", { count: b.declines, since: fmt.dateTime(b.blockedAt), until: fmt.dateTime(b.blockedUntil) })}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <CreateLinkForm />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
