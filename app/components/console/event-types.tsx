/**
 * The event types an endpoint receives: "All events" (sent as "*"), or per group "all of
 * them" ("payment.*") and single types. Checked "All events" greys the rest out (with
 * scripts; without them the server keeps just "*").
 */
import { useState } from "react";
import { FieldError } from "~/components/form";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";
import { isMessageKey } from "~/lib/i18n/translate";

export function EventTypePicker(props: { id: string; types: readonly string[]; selected: readonly string[]; error?: string | null }) {
  const t = useT();
  const [all, setAll] = useState(props.selected.includes("*"));
  const groups = [...new Set(props.types.map((x) => x.split(".")[0]!))];
  const errorId = `${props.id}-error`;
  return (
    <fieldset className="event-types" aria-invalid={props.error ? true : undefined} aria-describedby={props.error ? errorId : undefined}>
      <legend>{t("webhooks.field.events")}</legend>
      <FieldError id={errorId} message={props.error} />
      <label className="check event-types-all">
        <input type="checkbox" name="events" value="*" defaultChecked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> {t("webhooks.field.allEvents")}
      </label>
      <div className="event-type-groups">
        {groups.map((g) => (
          <fieldset key={g} className="event-type-group" disabled={all}>
            <legend>{isMessageKey(`webhooks.group.${g}`) ? t(`webhooks.group.${g}` as MessageKey) : g}</legend>
            <label className="check">
              <input type="checkbox" name="events" value={`${g}.*`} defaultChecked={props.selected.includes(`${g}.*`)} /> {t("webhooks.field.groupAll")}{" "}
              <bdi className="mono muted" dir="ltr">{`${g}.*`}</bdi>
            </label>
            {props.types
              .filter((x) => x.startsWith(`${g}.`))
              .map((x) => (
                <label key={x} className="check">
                  <input type="checkbox" name="events" value={x} defaultChecked={props.selected.includes(x)} />{" "}
                  <bdi className="mono" dir="ltr">
                    {x}
                  </bdi>
                </label>
              ))}
          </fieldset>
        ))}
      </div>
    </fieldset>
  );
}
