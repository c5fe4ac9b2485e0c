import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { CsrfInput } from "~/components/csrf";
import { DayField } from "~/components/day-input";
import { ErrorSummary, Field, FieldError, SubmitButton, useFormFailure } from "~/components/form";
import { RouteErrorBoundary } from "~/components/route-error";
import { localDateKey } from "~/lib/dates/zones";
import { preprocessDay } from "~/lib/day-input";
import { BusinessDetailsFields } from "~/components/business-details-fields";
import { businessDetailsFields } from "~/lib/business-details";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { isMessageKey } from "~/lib/i18n/translate";
import { makeFormatter } from "~/lib/format";
import { amountErrorMessage, businessFieldError, scheduleFieldError, clauseSeparator } from "~/lib/i18n/messages";
import { isCurrencyCode, parseAmount, toMajorDecimalString } from "~/lib/money";
import { formRecord, parseForm, refuse, typedValues } from "~/web/form.server";
import { requireAction, requireContext } from "~/web/guard.server";
import { clientOf } from "~/web/request.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { getBusinessDetails, updateBusinessDetails } from "~/modules/merchants/onboarding.server";
import { editHoliday, holidayCoverage, listHolidays } from "~/modules/settlements/holidays.server";
import { HOLIDAY_CALENDARS, getSchedule, schedulePreview, updateSchedule } from "~/modules/settlements/schedule.server";
import { Card, DoneNotice, PageHeader, Table } from "~/components/page";

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
  z.object({ intent: z.literal("details"), ...businessDetailsFields, timeZone: z.string().max(100) }),
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

export async function action({ request }: ActionFunctionArgs) {
  // The closed day is checked by editHoliday, which names it beside its field (the edge's
  // check would answer a page of its own, losing what was typed).
  const { ctx, form } = await requireAction(request, "settings:manage", { dates: false });
  // The weekend days are one field ticked many times (none ticked: no weekend).
  const raw = formRecord(form, ["weekendDays"]);
  const values = typedValues(raw);
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const intent = typeof raw.intent === "string" && raw.intent ? raw.intent : undefined;
  // Each field's own message, as the domain gives it for the same field.
  const fieldError = intent === "details" ? businessFieldError : scheduleFieldError;
  const parsed = parseForm(settingsForm, raw, t, (field) => fieldError(t, field, "") || t("staff.error.checkForm"));
  if (!parsed.ok) return refuse(parsed.errors, { intent, values });
  const input = parsed.data;
  const meta = { actor: ctx, client: clientOf(request) };
  switch (input.intent) {
    case "details": {
      const r = await updateBusinessDetails(ctx.scope, input, meta);
      if (!r.ok) return refuse({ [r.field]: businessFieldError(t, r.field, r.message) }, { intent, values });
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
        return refuse({ [r.field]: message }, { intent, values });
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
      if (!r.ok) return refuse({ [r.field]: scheduleFieldError(t, r.field, r.message) }, { intent, values });
      return redirect("/settings?done=holiday#holidays");
    }
  }
}

const DONE: Record<string, MessageKey> = {
  details: "settings.done.details",
  schedule: "settings.done.schedule",
  holiday: "settings.done.holiday",
};

const DETAIL_FIELDS = ["name", "legalName", "businessType", "contactEmail", "contactPhone", "website", "timeZone"] as const;

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  const detailsForm = useFormFailure("details");
  const scheduleForm = useFormFailure("schedule");
  const closeForm = useFormFailure("holiday-close");
  const rowForm = useFormFailure(["holiday-open", "holiday-reset"]);
  // The days ticked when the schedule was refused (none, if it came back without them).
  const weekend = new Set(scheduleForm.failure ? (scheduleForm.values.weekendDays ?? "").split(" ").filter(Boolean).map(Number) : data.schedule.weekendDays);
  const s = data.schedule;
  const t = useT();
  const fmt = useFormat();
  const { prefs } = useI18n();
  const week = prefs.locale === "fa" ? WEEK_FROM_SATURDAY : WEEK_FROM_SUNDAY;
  const currencyName = s.currency === "IRR" ? t("money.unit.rial") : s.currency;
  const calendarName = (id: string) => {
    const key = `settings.holidayCalendar.${id}`;
    return isMessageKey(key) ? t(key) : id;
  };

  return (
    <>
      <PageHeader title={t("settings.title")} intro={<>{data.details.name} · <Link to="/settings/bank">{t("settings.bankAccount")}</Link> · <Link to="/settings/security">{t("nav.security")}</Link></>} />
      <DoneNotice messages={DONE} />

      <Card headingId="details-title" title={t("settings.details.title")}>
        <Form method="post" noValidate>
          <CsrfInput />
          <input type="hidden" name="intent" value="details" />
          <ErrorSummary form={detailsForm} />
          <BusinessDetailsFields form={detailsForm} idPrefix="d-" fields={DETAIL_FIELDS} details={data.details} />
          <p className="muted">
            {t("settings.details.fixed", {
              country: new Intl.DisplayNames(fmt.locale, { type: "region" }).of(data.details.country) ?? data.details.country,
              currency: data.details.currency === "IRR" ? t("money.unit.rial") : data.details.currency,
            })}
          </p>
          <SubmitButton busy={busy}>{t("settings.details.save")}</SubmitButton>
        </Form>
      </Card>

      <Card headingId="schedule-title" title={t("settings.schedule.title")}>
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
          <ErrorSummary form={scheduleForm} />
          <div className="grid grid-2">
            <Field
              form={scheduleForm}
              name="cutoff"
              label={t("settings.schedule.cutoff", { zone: fmt.zoneName(s.timeZone) })}
              hint={t("settings.schedule.cutoffHint", { midnight: fmt.digits("00:00") })}
              type="time"
              defaultValue={s.cutoff}
            />
            <Field
              form={scheduleForm}
              name="delayDays"
              label={t("settings.schedule.delay")}
              hint={t("settings.schedule.delayHint", { example: "T+1" })}
              type="number"
              min={0}
              max={10}
              defaultValue={String(s.delayDays)}
            />
            <Field
              form={scheduleForm}
              name="holidayCalendar"
              label={t("settings.schedule.holidays")}
              options={data.calendars.map((id) => ({ value: id, label: calendarName(id) }))}
              defaultValue={s.holidayCalendar}
            />
            <Field
              form={scheduleForm}
              name="minimumPayout"
              label={t("settings.schedule.minimum", { currency: currencyName })}
              hint={t("settings.schedule.minimumHint", { zero: 0 })}
              inputMode="decimal"
              defaultValue={s.minimumPayout}
            />
          </div>
          <fieldset
            aria-invalid={scheduleForm.errors.weekendDays ? true : undefined}
            aria-describedby={scheduleForm.errors.weekendDays ? "weekendDays-error" : undefined}
          >
            <legend>{t("settings.schedule.weekend")}</legend>
            {week.map((i) => (
              <label key={i} style={{ marginInlineEnd: "1rem", whiteSpace: "nowrap", display: "inline-block" }}>
                <input type="checkbox" name="weekendDays" value={i} defaultChecked={weekend.has(i)} /> {weekdayName(fmt.locale, i)}
              </label>
            ))}
            <FieldError id="weekendDays-error" message={scheduleForm.errors.weekendDays} />
          </fieldset>
          <SubmitButton busy={busy}>{t("settings.schedule.save")}</SubmitButton>
        </Form>
      </Card>

      <Card headingId="holidays-title" title={t("settings.holidays.title")} id="holidays">
        <p className="muted">{t("settings.holidays.intro", { from: fmt.day(data.range.from), to: fmt.day(data.range.to) })}</p>
        {data.coverage.runningOut && data.coverage.through ? (
          <p className="notice notice-warning" role="status">
            {t("settings.holidays.runningOut", { through: fmt.day(data.coverage.through) })}
          </p>
        ) : null}
        {data.holidays.some((h) => h.projected) ? <p className="muted small">{t("settings.holidays.projectedNote")}</p> : null}
        {/* A row's button refused (a day that is no longer a holiday): said above the table. */}
        <ErrorSummary form={rowForm} fields={["day"]} />
        <Table
          columns={[
            t("common.date"),
            t("settings.holidays.holiday"),
            t("settings.holidays.source"),
            t("settings.holidays.businessDay"),
            <span key="change" className="visually-hidden">{t("settings.holidays.change")}</span>,
          ]}
          empty={data.holidays.length === 0 ? t("settings.holidays.empty") : null}
        >
            <tbody>
              {data.holidays.map((h) => (
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
              ))}
            </tbody>
        </Table>
        <Form method="post" noValidate className="form-row" style={{ marginBlockStart: "1rem" }}>
          <CsrfInput />
          <input type="hidden" name="intent" value="holiday-close" />
          <ErrorSummary form={closeForm} />
          <DayField form={closeForm} id="h-day" name="day" label={t("settings.holidays.closedDay")} />
          <Field form={closeForm} id="h-name" name="name" label={t("settings.holidays.name")} placeholder={t("settings.holidays.namePlaceholder")} />
          <button className="btn" type="submit" disabled={busy}>
            {t("settings.holidays.add")}
          </button>
        </Form>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
