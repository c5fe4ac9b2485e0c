/** A terminal's name and (optional) location, the same when it is created and when it is renamed. */
import { useT } from "~/lib/i18n/react";
import { Field, type FormState } from "./form";

export function TerminalFields({ form, idPrefix, name, location }: { form: FormState; idPrefix: string; name?: string; location?: string }) {
  const t = useT();
  return (
    <>
      <Field form={form} id={`${idPrefix}-name`} name="name" label={t("terminals.col.name")} required maxLength={80} defaultValue={name} />
      <Field
        form={form}
        id={`${idPrefix}-location`}
        name="location"
        label={
          <>
            {t("terminals.location")} <span className="muted">({t("common.optional")})</span>
          </>
        }
        maxLength={120}
        defaultValue={location}
      />
    </>
  );
}
