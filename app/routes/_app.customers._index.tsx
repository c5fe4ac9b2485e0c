import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { Field, FieldError, Optional, SaveButton, useFormFailure } from "~/components/form";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireAction, requireContext } from "~/web/guard.server";
import { listCustomers } from "~/modules/subscriptions/customers.server";
import { createCustomerFromForm } from "~/web/subscriptions/console.server";
import { Card, PageHeader, PageLinks, RowHead, Table } from "~/components/page";
import { pageFrom, pageRows, pageHref } from "~/lib/paging";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "customers.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "subscriptions:view");
  const params = new URL(request.url).searchParams;
  const q = (params.get("q") ?? "").slice(0, 100);
  const { page, limit, offset } = pageFrom(params);
  const { rows: list, hasNext } = pageRows(await listCustomers(ctx.scope, { q, limit, offset }));
  return json(
    {
      q,
      page,
      hasNext,
      canManage: can(ctx.role, "customers:manage"),
      customers: list.map((c) => ({ id: c.id, name: c.name, email: c.email, phone: c.phone, reference: c.reference, createdAt: c.createdAt.toISOString() })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "customers:manage");
  const r = await createCustomerFromForm(ctx, form);
  if (r.ok) return redirect(`/customers/${r.customer.id}`, 303);
  return json(r, { status: r.status });
}

export default function CustomersPage() {
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const t = useT();
  const fmt = useFormat();
  return (
    <>
      <PageHeader title={t("customers.title")} intro={t("customers.subtitle")} />
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="customers-q">{t("customers.searchLabel")}</label>
          <input id="customers-q" name="q" type="search" defaultValue={data.q} maxLength={100} aria-describedby="customers-q-hint" />
          <p className="hint" id="customers-q-hint">
            {t("customers.searchHint")}
          </p>
        </div>
        <button type="submit" className="btn">
          {t("common.search")}
        </button>
      </Form>
      <Table
        caption={t("customers.caption")}
        columns={[t("customers.col.name"), t("customers.col.contact"), t("customers.col.reference"), t("common.created")]}
        empty={data.customers.length === 0 ? (data.q ? t("customers.noMatch") : t("customers.empty")) : null}
      >
          <tbody>
            {data.customers.map((c) => (
              <tr key={c.id}>
                <RowHead to={`/customers/${c.id}`} name={c.name} id={c.id} />
                <td>
                  {c.email ? (
                    <bdi dir="ltr" className="mono">
                      {c.email}
                    </bdi>
                  ) : null}
                  {c.phone ? (
                    <div className="muted mono" dir="ltr">
                      {fmt.digits(c.phone)}
                    </div>
                  ) : null}
                </td>
                <td>{c.reference ? <bdi>{c.reference}</bdi> : null}</td>
                <td className="nowrap">{fmt.date(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
      </Table>
      <PageLinks page={data.page} hasNext={data.hasNext} href={(n) => pageHref("/customers", { q: data.q }, n)} />
      {data.canManage ? (
        <Card headingId="new-customer-h" title={t("customers.new")} className="section">
          <Form method="post">
            <CsrfInput />
            <FieldError block id={form.summaryId} message={form.errors.form} />
            <div className="form-row">
              <Field form={form} id="customer-name" name="name" label={t("customers.field.name")} required maxLength={200} defaultValue="" />
              <Field form={form} id="customer-email" name="email" label={<Optional>{t("customers.field.email")}</Optional>} type="email" dir="ltr" maxLength={254} defaultValue="" />
            </div>
            <div className="form-row">
              <Field form={form} id="customer-phone" name="phone" label={<Optional>{t("customers.field.phone")}</Optional>} type="tel" dir="ltr" maxLength={32} defaultValue="" />
              <Field form={form} id="customer-reference" name="reference" label={<Optional>{t("customers.field.reference")}</Optional>} maxLength={200} defaultValue="" />
            </div>
            <Field form={form} id="customer-notes" name="notes" label={<Optional>{t("customers.field.notes")}</Optional>}>
              {(c) => <textarea {...c} maxLength={2000} rows={2} defaultValue={form.values.notes ?? ""} />}
            </Field>
            <SaveButton label={t("customers.create")} />
          </Form>
        </Card>
      ) : null}
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
