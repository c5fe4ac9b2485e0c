import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { CsrfInput } from "~/components/csrf";
import { DayInput } from "~/components/day-input";
import { RouteErrorBoundary } from "~/components/route-error";
import { localDateKey } from "~/lib/dates/zones";
import { preprocessDay } from "~/lib/day-input";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { isMessageKey } from "~/lib/i18n/translate";
import { makeFormatter } from "~/lib/format";
import { amountErrorMessage, businessFieldError, scheduleFieldError, clauseSeparator } from "~/lib/i18n/messages";
import { isCurrencyCode, parseAmount, toMajorDecimalString } from "~/lib/money";
import { requireAction, requireContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { getBusinessDetails, updateBusinessDetails } from "~/modules/merchants/onboarding.server";
import { editHoliday, holidayCoverage, listHolidays } from "~/modules/settlements/holidays.server";
import { HOLIDAY_CALENDARS, getSchedule, schedulePreview, updateSchedule } from "~/modules/settlements/schedule.server";
import { DoneNotice, PageHeader } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "settings.title");

/** 0 = Sunday ... 6 = Saturday (what the schedule stores); Iranian weeks are listed from Saturday. */
const WEEK_FROM_SUNDAY = [0, 1, 2, 3, 4, 5, 6];
const WEEK_FROM_SATURDAY = [6, 0, 1, 2, 3, 4, 5];

/** The weekday's name in the reader's language (2023-01-01 was a Sunday). */
function weekdayName(locale: string, weekday: number): string {
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2023, 0, 1 + weekday)));
}

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
      nextCutoff: preview.nextCutoff.toISOString(),
      settlementDay: preview.settlementDay,
      expectedArrivalDate: preview.expectedArrivalDate,
    },
    holidays,
    coverage: holidayCoverage(schedule.holidayCalendar, now),
    calendars: HOLIDAY_CALENDARS.map((c) => c.id),
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
  // A Jalali day typed by a Persian reader arrives as its ISO day.
  z.object({ intent: z.literal("holiday-close"), day: z.preprocess(preprocessDay, z.string().max(20)), name: z.string().max(300) }),
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
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const parsed = settingsForm.safeParse(raw);
  const intent = String(raw.intent ?? "");
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>({ error: { message: t("staff.error.checkForm"), field: issue?.path[0]?.toString() }, intent, values: raw }, { status: 400 });
  }
  const input = parsed.data;
  const meta = { actor: ctx, request };
  switch (input.intent) {
    case "details": {
      const r = await updateBusinessDetails(ctx.scope, input, meta);
      if (!r.ok) {
        return json<ActionData>({ error: { field: r.field, message: businessFieldError(t, r.field, r.message) }, intent, values: raw }, { status: 400 });
      }
      return redirect("/settings?done=details");
    }
    case "schedule": {
      const r = await updateSchedule(ctx.scope, input, meta);
      if (!r.ok) {
        let message = scheduleFieldError(t, r.field, r.message);
        if (r.field === "minimumPayout" && isCurrencyCode(ctx.merchant.currency)) {
          const amount = parseAmount(input.minimumPayout, ctx.merchant.currency);
          if (!amount.ok) message = amountErrorMessage(t, makeFormatter({ ...prefs }), amount);
        }
        return json<ActionData>({ error: { message, field: r.field }, intent, values: raw }, { status: 400 });
      }
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
      if (!r.ok) return json<ActionData>({ error: { message: scheduleFieldError(t, r.field, r.message), field: r.field }, intent, values: raw }, { status: 400 });
      return redirect("/settings?done=holiday#holidays");
    }
  }
}

const DONE: Record<string, MessageKey> = {
  details: "settings.done.details",
  schedule: "settings.done.schedule",
  holiday: "settings.done.holiday",
};

const DETAIL_FIELDS = [
  ["name", "settings.details.name", "text"],
  ["legalName", "settings.details.legalName", "text"],
  ["businessType", "settings.details.businessType", "text"],
  ["contactEmail", "settings.details.contactEmail", "email"],
  ["contactPhone", "settings.details.contactPhone", "tel"],
  ["website", "settings.details.website", "text"],
  ["timeZone", "settings.details.timeZone", "text"],
] as const satisfies readonly (readonly [string, MessageKey, string])[];

// Written in Latin letters whatever the page's direction.
const LTR_FIELDS = new Set(["contactEmail", "contactPhone", "website", "timeZone"]);

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const busy = useNavigation().state !== "idle";
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
  const t = useT();
  const fmt = useFormat();
  const { prefs } = useI18n();
  const week = prefs.locale === "fa" ? WEEK_FROM_SATURDAY : WEEK_FROM_SUNDAY;
  const currencyName = s.currency === "IRR" ? t("money.unit.rial") : s.currency;
  const calendarKey = (id: string) => `settings.holidayCalendar.${id}`;

  return (
    <>
      <PageHeader title={t("settings.title")} intro={<>{data.details.name} · <Link to="/settings/bank">{t("settings.bankAccount")}</Link> · <Link to="/settings/security">{t("nav.security")}</Link></>} />
      <DoneNotice messages={DONE} />

      <section className="card" aria-labelledby="details-title">
        <h2 id="details-title">{t("settings.details.title")}</h2>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="details" />
          <div className="grid grid-2">
            {DETAIL_FIELDS.map(([name, label, type]) => (
              <div className="field" key={name}>
                <label htmlFor={`d-${name}`}>{t(label)}</label>
                <input
                  id={`d-${name}`}
                  name={name}
                  type={type}
                  dir={LTR_FIELDS.has(name) ? "ltr" : undefined}
                  defaultValue={dv[name] ?? ""}
                  aria-invalid={invalid("details", name)}
                  aria-describedby={invalid("details", name) ? `details-${name}-error` : undefined}
                />
                {err("details", name)}
              </div>
            ))}
          </div>
          <p className="muted">
            {t("settings.details.fixed", {
              country: new Intl.DisplayNames(fmt.locale, { type: "region" }).of(data.details.country) ?? data.details.country,
              currency: data.details.currency === "IRR" ? t("money.unit.rial") : data.details.currency,
            })}
          </p>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {t("settings.details.save")}
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="schedule-title">
        <h2 id="schedule-title">{t("settings.schedule.title")}</h2>
        <p className="muted" data-testid="schedule-preview">
          {t("settings.schedule.preview", {
            cutoff: fmt.dateTime(data.preview.nextCutoff),
            zone: fmt.zoneName(s.timeZone),
            day: fmt.day(data.preview.settlementDay),
            arrival: fmt.day(data.preview.expectedArrivalDate),
          })}
        </p>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="schedule" />
          <div className="grid grid-2">
            <div className="field">
              <label htmlFor="cutoff">{t("settings.schedule.cutoff", { zone: fmt.zoneName(s.timeZone) })}</label>
              <input
                id="cutoff"
                name="cutoff"
                type="time"
                defaultValue={(sv.cutoff as string) ?? s.cutoff}
                aria-invalid={invalid("schedule", "cutoff")}
                aria-describedby="cutoff-hint"
              />
              <span className="hint" id="cutoff-hint">
                {t("settings.schedule.cutoffHint", { midnight: fmt.digits("00:00") })}
              </span>
              {err("schedule", "cutoff")}
            </div>
            <div className="field">
              <label htmlFor="delayDays">{t("settings.schedule.delay")}</label>
              <input
                id="delayDays"
                name="delayDays"
                type="number"
                min={0}
                max={10}
                defaultValue={(sv.delayDays as string) ?? String(s.delayDays)}
                aria-invalid={invalid("schedule", "delayDays")}
              />
              <span className="hint">{t("settings.schedule.delayHint", { example: "T+1" })}</span>
              {err("schedule", "delayDays")}
            </div>
            <div className="field">
              <label htmlFor="holidayCalendar">{t("settings.schedule.holidays")}</label>
              <select id="holidayCalendar" name="holidayCalendar" defaultValue={(sv.holidayCalendar as string) ?? s.holidayCalendar}>
                {data.calendars.map((id) => {
                  const key = calendarKey(id);
                  return (
                    <option key={id} value={id}>
                      {isMessageKey(key) ? t(key) : id}
                    </option>
                  );
                })}
              </select>
              {err("schedule", "holidayCalendar")}
            </div>
            <div className="field">
              <label htmlFor="minimumPayout">{t("settings.schedule.minimum", { currency: currencyName })}</label>
              <input
                id="minimumPayout"
                name="minimumPayout"
                inputMode="decimal"
                defaultValue={(sv.minimumPayout as string) ?? s.minimumPayout}
                aria-invalid={invalid("schedule", "minimumPayout")}
                aria-describedby="minimumPayout-hint"
              />
              <span className="hint" id="minimumPayout-hint">
                {t("settings.schedule.minimumHint", { zero: 0 })}
              </span>
              {err("schedule", "minimumPayout")}
            </div>
          </div>
          <fieldset aria-describedby={invalid("schedule", "weekendDays") ? "schedule-weekendDays-error" : undefined}>
            <legend>{t("settings.schedule.weekend")}</legend>
            {week.map((i) => (
              <label key={i} style={{ marginInlineEnd: "1rem", whiteSpace: "nowrap", display: "inline-block" }}>
                <input type="checkbox" name="weekendDays" value={i} defaultChecked={weekend.has(i)} /> {weekdayName(fmt.locale, i)}
              </label>
            ))}
            {err("schedule", "weekendDays")}
          </fieldset>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {t("settings.schedule.save")}
          </button>
        </Form>
      </section>

      <section className="card" aria-labelledby="holidays-title" id="holidays">
        <h2 id="holidays-title">{t("settings.holidays.title")}</h2>
        <p className="muted">{t("settings.holidays.intro", { from: fmt.day(data.range.from), to: fmt.day(data.range.to) })}</p>
        {data.coverage.runningOut && data.coverage.through ? (
          <p className="notice notice-warning" role="status">
            {t("settings.holidays.runningOut", { through: fmt.day(data.coverage.through) })}
          </p>
        ) : null}
        {data.holidays.some((h) => h.projected) ? <p className="muted small">{t("settings.holidays.projectedNote")}</p> : null}
        {result && result.intent.startsWith("holiday") && !result.error.field ? (
          <p className="error-box error" role="alert">
            {result.error.message}
          </p>
        ) : null}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t("common.date")}</th>
                <th>{t("settings.holidays.holiday")}</th>
                <th>{t("settings.holidays.source")}</th>
                <th>{t("settings.holidays.businessDay")}</th>
                <th>
                  <span className="visually-hidden">{t("settings.holidays.change")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.holidays.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    {t("settings.holidays.empty")}
                  </td>
                </tr>
              ) : (
                data.holidays.map((h) => (
                  <tr key={h.day}>
                    <td className="num">{fmt.day(h.day)}</td>
                    <td>
                      {prefs.locale === "fa" && h.nameFa ? (
                        h.nameFa
                      ) : (
                        <>
                          {h.name}
                          {h.nameFa ? (
                            <>
                              {clauseSeparator(t)}
                              <bdi lang="fa" className="muted">
                                {h.nameFa}
                              </bdi>
                            </>
                          ) : null}
                        </>
                      )}
                    </td>
                    <td>
                      {h.source === "country" ? t("settings.holidays.public") : t("settings.holidays.own")}
                      {h.projected ? <span className="muted">{` · ${t("settings.holidays.projected")}`}</span> : null}
                    </td>
                    <td>{h.closed ? t("common.no") : t("settings.holidays.weWork")}</td>
                    <td>
                      <Form method="post" className="inline-form">
                        <CsrfInput />
                        <input type="hidden" name="day" value={h.day} />
                        {h.source === "country" && h.closed ? (
                          <button className="btn-link" type="submit" name="intent" value="holiday-open">
                            {t("settings.holidays.open")}
                          </button>
                        ) : (
                          <button className="btn-link" type="submit" name="intent" value="holiday-reset">
                            {h.source === "country" ? t("settings.holidays.closeAgain") : t("common.remove")}
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
            <label htmlFor="h-day">{t("settings.holidays.closedDay")}</label>
            <DayInput id="h-day" name="day" defaultValue={hv.day} invalid={invalid("holiday-close", "day")} />
            {err("holiday-close", "day")}
          </div>
          <div className="field">
            <label htmlFor="h-name">{t("settings.holidays.name")}</label>
            <input
              id="h-name"
              name="name"
              defaultValue={hv.name}
              placeholder={t("settings.holidays.namePlaceholder")}
              aria-invalid={invalid("holiday-close", "name")}
            />
            {err("holiday-close", "name")}
          </div>
          <button className="btn" type="submit" disabled={busy}>
            {t("settings.holidays.add")}
          </button>
        </Form>
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
