import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { FieldError } from "~/components/console/subscriptions";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireAction, requireContext } from "~/web/guard.server";
import { listCustomers } from "~/modules/subscriptions/customers.server";
import { createCustomerFromForm } from "~/web/subscriptions/console.server";
import { PageHeader, PageLinks } from "~/components/page";
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
  const failure = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const fmt = useFormat();
  const values = (failure && !failure.ok ? failure.values : {}) as Record<string, string>;
  const errors = (failure && !failure.ok ? failure.errors : {}) as Record<string, string | undefined>;
  const described = (f: string) => (errors[f] ? { "aria-invalid": true, "aria-describedby": `customer-${f}-error` } : {});
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
      <div className="table-wrap">
        <table className="table">
          <caption>{t("customers.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("customers.col.name")}</th>
              <th scope="col">{t("customers.col.contact")}</th>
              <th scope="col">{t("customers.col.reference")}</th>
              <th scope="col">{t("common.created")}</th>
            </tr>
          </thead>
          <tbody>
            {data.customers.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <Link to={`/customers/${c.id}`} className="row-link">
                    {c.name}
                  </Link>
                  <div className="muted mono">{c.id}</div>
                </th>
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
        </table>
        {data.customers.length === 0 ? <div className="empty-state">{data.q ? t("customers.noMatch") : t("customers.empty")}</div> : null}
      </div>
      <PageLinks page={data.page} hasNext={data.hasNext} href={(n) => pageHref("/customers", { q: data.q }, n)} />
      {data.canManage ? (
        <section className="card section" aria-labelledby="new-customer-h">
          <h2 id="new-customer-h">{t("customers.new")}</h2>
          <Form method="post">
            <CsrfInput />
            <FieldError id="customer-form-error" message={errors.form} />
            <div className="form-row">
              <div className="field">
                <label htmlFor="customer-name">{t("customers.field.name")}</label>
                <input id="customer-name" name="name" required maxLength={200} defaultValue={values.name ?? ""} {...described("name")} />
                <FieldError id="customer-name-error" message={errors.name} />
              </div>
              <div className="field">
                <label htmlFor="customer-email">
                  {t("customers.field.email")} <span className="muted">({t("common.optional")})</span>
                </label>
                <input id="customer-email" name="email" type="email" dir="ltr" maxLength={254} defaultValue={values.email ?? ""} {...described("email")} />
                <FieldError id="customer-email-error" message={errors.email} />
              </div>
            </div>
            <div className="form-row">
              <div className="field">
                <label htmlFor="customer-phone">
                  {t("customers.field.phone")} <span className="muted">({t("common.optional")})</span>
                </label>
                <input id="customer-phone" name="phone" type="tel" dir="ltr" maxLength={32} defaultValue={values.phone ?? ""} {...described("phone")} />
                <FieldError id="customer-phone-error" message={errors.phone} />
              </div>
              <div className="field">
                <label htmlFor="customer-reference">
                  {t("customers.field.reference")} <span className="muted">({t("common.optional")})</span>
                </label>
                <input id="customer-reference" name="reference" maxLength={200} defaultValue={values.reference ?? ""} {...described("reference")} />
                <FieldError id="customer-reference-error" message={errors.reference} />
              </div>
            </div>
            <div className="field">
              <label htmlFor="customer-notes">
                {t("customers.field.notes")} <span className="muted">({t("common.optional")})</span>
              </label>
              <textarea id="customer-notes" name="notes" maxLength={2000} rows={2} defaultValue={values.notes ?? ""} {...described("notes")} />
              <FieldError id="customer-notes-error" message={errors.notes} />
            </div>
            <button type="submit" className="btn btn-primary" disabled={navigation.state === "submitting"}>
              {navigation.state === "submitting" ? t("common.saving") : t("customers.create")}
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
