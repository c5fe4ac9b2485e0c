import { useState, type ReactNode } from "react";
import { EventTypePicker } from "~/components/console/event-types";
import { Field, type FormState } from "~/components/form";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

const STATE_BADGE = { enabled: "active", disabled: "inactive", auto_disabled: "failed" } as const;

/** Enabled / Disabled / Disabled automatically (failing for the retry window). */
export function EndpointState({ state }: { state: "enabled" | "disabled" | "auto_disabled" }) {
  const t = useT();
  return <span className={`badge badge-${STATE_BADGE[state]}`}>{t(`webhooks.state.${state}` as MessageKey)}</span>;
}

const DELIVERY_BADGE = { succeeded: "active", failed: "failed", retrying: "pending", pending: "pending", superseded: "inactive" } as const;

export function DeliveryStatus({ status }: { status: "pending" | "succeeded" | "retrying" | "failed" | "superseded" }) {
  const t = useT();
  return <span className={`badge badge-${DELIVERY_BADGE[status]}`}>{t(`webhooks.deliveryStatus.${status}` as MessageKey)}</span>;
}

/** A signing secret, shown in this answer only, with a copy button. */
export function SecretOnce(props: { title: string; hint: string; secret: string; children?: ReactNode }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className="key-once" role="status">
      <strong>{props.title}</strong>
      <p>{props.hint}</p>
      <code data-testid="webhook-secret" dir="ltr">
        {props.secret}
      </code>
      <button
        type="button"
        className="btn"
        onClick={() => {
          void navigator.clipboard?.writeText(props.secret).then(() => setCopied(true));
        }}
      >
        {copied ? t("common.copied") : t("common.copy")}
      </button>
      {props.children ? <p>{props.children}</p> : null}
    </div>
  );
}

/**
 * An endpoint's fields (the add form and the edit form): its URL, description and event
 * types, what was typed put back when the form was refused.
 */
export function EndpointFields(props: {
  form: FormState;
  idPrefix: string;
  types: readonly string[];
  /** The endpoint as saved (the edit form). */
  saved?: { url: string; description: string | null; events: readonly string[] };
}) {
  const t = useT();
  const { form, idPrefix: p } = props;
  // A refused form came back with the ticked types (none ticked: none).
  const events = form.failure ? (form.values.events ?? "").split(" ").filter(Boolean) : (props.saved?.events ?? []);
  return (
    <>
      <Field
        form={form}
        id={`${p}url`}
        name="url"
        label={t("webhooks.field.url")}
        hint={t("webhooks.field.urlHint")}
        type="url"
        dir="ltr"
        inputMode="url"
        autoComplete="off"
        placeholder={t("webhooks.field.urlPlaceholder")}
        maxLength={2000}
        defaultValue={props.saved?.url ?? ""}
      />
      <Field form={form} id={`${p}description`} name="description" label={t("webhooks.field.description")} maxLength={200} defaultValue={props.saved?.description ?? ""} />
      <EventTypePicker id={`${p}events`} types={props.types} selected={events} error={form.errors.events} />
    </>
  );
}
