import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { FilterActions } from "~/components/console/filters";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import { useFormat, useT } from "~/lib/i18n/react";
import { requireContext } from "~/web/guard.server";
import { EVENT_TYPES, isKnownEventType, listEvents } from "~/modules/events/events.server";
import { listDeliveries } from "~/modules/webhooks/delivery.server";
import { summarizeDeliveries } from "~/modules/webhooks/delivery-summary";
import { DeliveryStatus } from "~/components/console/webhooks";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { BeforeLinks, num, PageHeader, Table } from "~/components/page";
import { Field } from "~/components/form";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "events.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "developers:manage");
  const q = new URL(request.url).searchParams;
  const type = q.get("type") ?? "";
  const object = (q.get("object") ?? "").trim().slice(0, 100);
  const beforeRaw = q.get("before");
  const before = beforeRaw && /^\d{1,15}$/.test(beforeRaw) ? Number(beforeRaw) : undefined;
  if ((type && !isKnownEventType(type)) || (beforeRaw && before === undefined)) {
    const t = serverTranslator(resolvePreferences(ctx));
    throw new Response(t("events.error.invalidFilter"), { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const page = await listEvents(ctx.scope, { types: type ? [type] : [], objectId: object || undefined, before, limit: 50, order: "desc" });
  const deliveries = await listDeliveries(ctx.scope, { limit: 200 });
  const byEvent = new Map<string, { endpointId: string; status: (typeof deliveries)[number]["status"] }[]>();
  for (const d of deliveries) byEvent.set(d.eventId, [...(byEvent.get(d.eventId) ?? []), { endpointId: d.endpointId, status: d.status }]);
  return json(
    {
      timeZone: ctx.merchant.timeZone,
      filters: { type, object },
      types: [...EVENT_TYPES],
      rows: page.events.map((e) => ({
        id: e.id,
        seq: e.seq,
        type: e.type,
        objectId: String((e.data as { id?: string }).id ?? ""),
        createdAt: e.createdAt.toISOString(),
        deliveries: summarizeDeliveries(byEvent.get(e.id) ?? []),
      })),
      nextBefore: page.hasMore ? page.events[page.events.length - 1]!.seq : null,
      before: before ?? null,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export default function EventsPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const groups = [...new Set(data.types.map((x) => x.split(".")[0]!))];
  return (
    <>
      <PageHeader title={t("events.title")} intro={t("events.intro", { zone: fmt.zoneName(data.timeZone) })} />
      <Form method="get" className="card form-row" aria-label={t("events.filter.submit")}>
        <Field id={`${id}-type`} name="type" label={t("events.filter.type")}>
          {(c) => (
            <select {...c} defaultValue={data.filters.type} dir="ltr">
              <option value="">{t("events.filter.allTypes")}</option>
              {groups.map((g) => (
                <optgroup key={g} label={g}>
                  <option value={`${g}.*`}>{`${g}.*`}</option>
                  {data.types
                    .filter((x) => x.startsWith(`${g}.`))
                    .map((x) => (
                      <option key={x} value={x}>
                        {x}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${id}-object`} name="object" label={t("events.filter.object")} type="search" dir="ltr" defaultValue={data.filters.object} />
        <FilterActions clearHref="/events" label={t("events.filter.submit")} />
      </Form>
      <Table wrapStyle={{ marginBlockStart: "1rem" }} columns={[num(t("events.col.seq")), t("events.col.type"), t("events.col.object"), t("events.col.time"), t("events.col.deliveries")]} empty={data.rows.length === 0 ? t("events.empty") : null}>
          <tbody>
            {data.rows.map((r) => (
              <tr key={r.id}>
                <td className="num">{fmt.number(r.seq)}</td>
                <th scope="row">
                  <Link to={`/events/${r.id}`} className="row-link mono" dir="ltr">
                    {r.type}
                  </Link>
                </th>
                <td>
                  <bdi className="mono">{r.objectId}</bdi>
                </td>
                <td className="nowrap">{fmt.dateTime(r.createdAt)}</td>
                <td>
                  {r.deliveries ? (
                    <DeliveryStatus status={r.deliveries} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
      </Table>
      <BeforeLinks path="/events" before={data.before} nextBefore={data.nextBefore} newest={t("events.newest")} older={t("events.older")} />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
