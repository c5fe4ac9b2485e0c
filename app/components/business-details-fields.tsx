/**
 * The business's details, the same on the settings page and in onboarding's first step: one
 * field each, in two columns, with what is on file as the starting value.
 */
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";
import { Field, type FormState } from "./form";

export type BusinessDetail = "name" | "legalName" | "businessType" | "contactEmail" | "contactPhone" | "website" | "timeZone";

const DETAILS: Record<BusinessDetail, { label: MessageKey; type: string; autoComplete: string; ltr?: true }> = {
  name: { label: "settings.details.name", type: "text", autoComplete: "organization" },
  legalName: { label: "settings.details.legalName", type: "text", autoComplete: "organization" },
  businessType: { label: "settings.details.businessType", type: "text", autoComplete: "off" },
  // Written in Latin letters whatever the page's direction.
  contactEmail: { label: "settings.details.contactEmail", type: "email", autoComplete: "email", ltr: true },
  contactPhone: { label: "settings.details.contactPhone", type: "tel", autoComplete: "tel", ltr: true },
  website: { label: "settings.details.website", type: "text", autoComplete: "url", ltr: true },
  timeZone: { label: "settings.details.timeZone", type: "text", autoComplete: "off", ltr: true },
};

export function BusinessDetailsFields({
  form,
  idPrefix,
  fields,
  details,
  labels = {},
  autoComplete = false,
}: {
  form: FormState;
  idPrefix: string;
  fields: readonly BusinessDetail[];
  /** What is on file. */
  details: Partial<Record<BusinessDetail, string | null>>;
  /** A page's own words for a field ("Business name" while onboarding). */
  labels?: Partial<Record<BusinessDetail, MessageKey>>;
  /** Give the browser its autofill hints (the onboarding form, filled in once). */
  autoComplete?: boolean;
}) {
  const t = useT();
  return (
    <div className="grid grid-2">
      {fields.map((name) => (
        <Field
          key={name}
          form={form}
          id={`${idPrefix}${name}`}
          name={name}
          label={t(labels[name] ?? DETAILS[name].label)}
          type={DETAILS[name].type}
          dir={DETAILS[name].ltr ? "ltr" : undefined}
          autoComplete={autoComplete ? DETAILS[name].autoComplete : undefined}
          defaultValue={details[name] ?? ""}
        />
      ))}
    </div>
  );
}
