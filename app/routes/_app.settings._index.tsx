import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { formatDateTime, localDateKey } from "~/lib/dates";
import { isCurrencyCode, toMajorDecimalString } from "~/lib/money";
import { requireAction, requireContext } from "~/modules/access/guard.server";
import { getBusinessDetails, updateBusinessDetails } from "~/modules/merchants/onboarding.server";
import { editHoliday, listHolidays } from "~/modules/settlements/holidays.server";
import { HOLIDAY_CALENDARS, getSchedule, schedulePreview, updateSchedule } from "~/modules/settlements/schedule.server";

export const meta: MetaFunction = () => [{ title: "Settings · Merchant Console" }];

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "settings:manage");
  const now = new Date();
  const today = localDateKey(now, ctx.merchant.timeZone);
  const until = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  const [details, schedule, preview, holidays] = await Promise.all([
    getBusinessDetails(ctx.scope),
    getSchedule(ctx.scope),
    schedulePreview(ctx.scope, now),
    listHolidays(ctx.scope, { from: today, to: until }),
  ]);
  const currency = schedule.currency;
  return json({
    details,
    schedule: {
      ...schedule,
      minimumPayout: isCurrencyCode(currency) ? toMajorDecimalString(schedule.minimumPayout, currency) : schedule.minimumPayout.toString(),
    },
    preview: {
      nextCutoff: formatDateTime(preview.nextCutoff, { timeZone: schedule.timeZone, locale: "en-GB" }),
      settlementDay: preview.settlementDay,
      expectedArrivalDate: preview.expectedArrivalDate,
    },
    holidays,
    calendars: HOLIDAY_CALENDARS,
    range: { from: today, to: until },
  });
}

const settingsForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("details"),
    name: z.string().max(300),
    legalName: z.string().max(300),
    businessType: z.string().max(300),
    contactEmail: z.string().max(300),
    contactPhone: z.string().max(100),
    website: z.string().max(300).optional(),
    timeZone: z.string().max(100),
  }),
  z.object({
    intent: z.literal("schedule"),
    cutoff: z.string().max(20),
    delayDays: z.string().max(10),
    weekendDays: z.array(z.string().max(2)).max(7),
    holidayCalendar: z.string().max(20),
    minimumPayout: z.string().max(60),
  }),
  z.object({ intent: z.literal("holiday-close"), day: z.string().max(20), name: z.string().max(300) }),
  z.object({ intent: z.literal("holiday-open"), day: z.string().max(20) }),
  z.object({ intent: z.literal("holiday-reset"), day: z.string().max(20) }),
]);

type ActionData = { error: { message: string; field?: string }; intent: string; values?: Record<string, string | string[]> };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "settings:manage");
  const raw: Record<string, string | string[]> = {};
  for (const [k, v] of form.entries()) {
    if (k === "_csrf") continue;
    raw[k] = k === "weekendDays" ? [...((raw[k] as string[] | undefined) ?? []), String(v)] : String(v);
  }
  if (raw.intent === "schedule" && !raw.weekendDays) raw.weekendDays = [];
  const parsed = settingsForm.safeParse(raw);
  const intent = String(raw.intent ?? "");
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>(
      { error: { message: issue?.message ?? "Check the form.", field: issue?.path[0]?.toString() }, intent, values: raw },
      { status: 400 }
    );
  }
  const input = parsed.data;
  const meta = { actor: ctx, request };
  switch (input.intent) {
    case "details": {
      const r = await updateBusinessDetails(ctx.scope, input, meta);
      if (!r.ok) return json<ActionData>({ error: r, intent, values: raw }, { status: 400 });
      return redirect("/settings?done=details");
    }
    case "schedule": {
      const r = await updateSchedule(ctx.scope, input, meta);
      if (!r.ok) return json<ActionData>({ error: { message: r.message, field: r.field }, intent, values: raw }, { status: 400 });
      return redirect("/settings?done=schedule");
    }
    case "holiday-close":
    case "holiday-open":
    case "holiday-reset": {
      const edit =
        input.intent === "holiday-close"
          ? { kind: "close" as const, day: input.day, name: input.name }
          : { kind: input.intent === "holiday-open" ? ("open" as const) : ("reset" as const), day: input.day };
      const r = await editHoliday(ctx.scope, edit, meta);
      if (!r.ok) return json<ActionData>({ error: { message: r.message, field: r.field }, intent, values: raw }, { status: 400 });
      return redirect("/settings?done=holiday#holidays");
    }
  }
}

const DONE: Record<string, string> = {
  details: "Business details saved.",
  schedule: "Settlement schedule saved. It applies from the next cutoff; payouts already created keep their dates.",
  holiday: "Holiday calendar updated.",
};

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const done = params.get("done");
  const values = (intent: string) => (result?.intent === intent ? result.values ?? {} : {});
  const err = (intent: string, field: string) =>
    result?.intent === intent && result.error.field === field ? (
      <span className="field-error" role="alert" id={`${intent}-${field}-error`}>
        {result.error.message}
      </span>
    ) : null;
  const invalid = (intent: string, field: string) => (result?.intent === intent && result.error.field === field ? true : undefined);
  const dv = { ...data.details, ...values("details") } as Record<string, string>;
  const sv = values("schedule");
  const weekend = new Set((sv.weekendDays as string[] | undefined)?.map(Number) ?? data.schedule.weekendDays);
  const hv = values("holiday-close") as Record<string, string>;
  const s = data.schedule;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Settings</h1>
          <p>
            {data.details.name} · <Link to="/settings/bank">Bank account</Link> · <Link to="/settings/security">Security</Link>
          </p>
        </div>
      </div>
      {done && DONE[done] ? (
        <p className="success-box" role="status">
          {DONE[done]}
        </p>
      ) : null}

      <section className="card" aria-labelledby="details-title">
        <h2 id="details-title">Business details</h2>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="details" />
          <div className="grid grid-2">
            {(
              [
                ["name", "Business name", "text"],
                ["legalName", "Legal name", "text"],
                ["businessType", "What you sell", "text"],
                ["contactEmail", "Contact email", "email"],
                ["contactPhone", "Contact phone", "tel"],
                ["website", "Website (optional)", "text"],
                ["timeZone", "Time zone (reports and settlement cutoff)", "text"],
              ] as const
            ).map(([name, label, type]) => (
              <div className="field" key={name}>
                <label htmlFor={`d-${name}`}>{label}</label>
                <input
                  id={`d-${name}`}
                  name={name}
                  type={type}
                  defaultValue={dv[name] ?? ""}
                  aria-invalid={invalid("details", name)}
                  aria-describedby={invalid("details", name) ? `details-${name}-error` : undefined}
                />
                {err("details", name)}
              </div>
            ))}
          </div>
          <p className="muted">
            Country {data.details.country} · currency {data.details.currency} (fixed once the account exists).
          </p>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            Save details
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="schedule-title">
        <h2 id="schedule-title">Settlement schedule</h2>
        <p className="muted" data-testid="schedule-preview">
          Money captured before the next cutoff ({data.preview.nextCutoff}, {s.timeZone}) closes {data.preview.settlementDay} and is
          expected in your bank account on {data.preview.expectedArrivalDate}.
        </p>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="schedule" />
          <div className="grid grid-2">
            <div className="field">
              <label htmlFor="cutoff">Daily cutoff ({s.timeZone})</label>
              <input
                id="cutoff"
                name="cutoff"
                type="time"
                defaultValue={(sv.cutoff as string) ?? s.cutoff}
                aria-invalid={invalid("schedule", "cutoff")}
                aria-describedby="cutoff-hint"
              />
              <span className="hint" id="cutoff-hint">
                Payments captured before this time are paid out with that day; 00:00 closes the previous day.
              </span>
              {err("schedule", "cutoff")}
            </div>
            <div className="field">
              <label htmlFor="delayDays">Payout delay (business days)</label>
              <input
                id="delayDays"
                name="delayDays"
                type="number"
                min={0}
                max={10}
                defaultValue={(sv.delayDays as string) ?? String(s.delayDays)}
                aria-invalid={invalid("schedule", "delayDays")}
              />
              <span className="hint">T+1 means the next business day.</span>
              {err("schedule", "delayDays")}
            </div>
            <div className="field">
              <label htmlFor="holidayCalendar">Public holidays</label>
              <select id="holidayCalendar" name="holidayCalendar" defaultValue={(sv.holidayCalendar as string) ?? s.holidayCalendar}>
                {data.calendars.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </select>
              {err("schedule", "holidayCalendar")}
            </div>
            <div className="field">
              <label htmlFor="minimumPayout">Minimum payout ({s.currency})</label>
              <input
                id="minimumPayout"
                name="minimumPayout"
                inputMode="decimal"
                defaultValue={(sv.minimumPayout as string) ?? s.minimumPayout}
                aria-invalid={invalid("schedule", "minimumPayout")}
                aria-describedby="minimumPayout-hint"
              />
              <span className="hint" id="minimumPayout-hint">
                A smaller balance carries over to the next cutoff. 0 pays out any positive balance.
              </span>
              {err("schedule", "minimumPayout")}
            </div>
          </div>
          <fieldset aria-describedby={invalid("schedule", "weekendDays") ? "schedule-weekendDays-error" : undefined}>
            <legend>Weekend (no payouts move)</legend>
            {WEEKDAYS.map((name, i) => (
              <label key={name} style={{ marginInlineEnd: "1rem", whiteSpace: "nowrap" }}>
                <input type="checkbox" name="weekendDays" value={i} defaultChecked={weekend.has(i)} /> {name}
              </label>
            ))}
            {err("schedule", "weekendDays")}
          </fieldset>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            Save schedule
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="holidays-title" id="holidays">
        <h2 id="holidays-title">Holidays</h2>
        <p className="muted">
          Non-business days from {data.range.from} to {data.range.to}. Add your own closed days, or mark a public holiday you work through.
        </p>
        {result && result.intent.startsWith("holiday") && !result.error.field ? (
          <p className="error-box error" role="alert">
            {result.error.message}
          </p>
        ) : null}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Date</th>
                <th>Holiday</th>
                <th>Source</th>
                <th>Business day?</th>
                <th>
                  <span className="visually-hidden">Change</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.holidays.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    No holidays in this period.
                  </td>
                </tr>
              ) : (
                data.holidays.map((h) => (
                  <tr key={h.day}>
                    <td className="num">{h.day}</td>
                    <td>
                      {h.name}
                      {h.nameFa ? (
                        <>
                          {" · "}
                          <bdi lang="fa" className="muted">
                            {h.nameFa}
                          </bdi>
                        </>
                      ) : null}
                    </td>
                    <td>{h.source === "country" ? "Public holiday" : "Your closed day"}</td>
                    <td>{h.closed ? "No" : "Yes (you work)"}</td>
                    <td>
                      <Form method="post" className="inline-form">
                        <CsrfInput />
                        <input type="hidden" name="day" value={h.day} />
                        {h.source === "country" && h.closed ? (
                          <button className="btn-link" type="submit" name="intent" value="holiday-open">
                            We work this day
                          </button>
                        ) : (
                          <button className="btn-link" type="submit" name="intent" value="holiday-reset">
                            {h.source === "country" ? "Closed after all" : "Remove"}
                          </button>
                        )}
                      </Form>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <Form method="post" noValidate className="form-row" style={{ marginBlockStart: "1rem" }}>
          <CsrfInput />
          <input type="hidden" name="intent" value="holiday-close" />
          <div className="field">
            <label htmlFor="h-day">Closed day</label>
            <input id="h-day" name="day" type="date" defaultValue={hv.day} aria-invalid={invalid("holiday-close", "day")} />
            {err("holiday-close", "day")}
          </div>
          <div className="field">
            <label htmlFor="h-name">Name</label>
            <input
              id="h-name"
              name="name"
              defaultValue={hv.name}
              placeholder="Stocktaking"
              aria-invalid={invalid("holiday-close", "name")}
            />
            {err("holiday-close", "name")}
          </div>
          <button className="btn" type="submit" disabled={busy}>
            Add closed day
          </button>
        </Form>
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
