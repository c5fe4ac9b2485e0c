import { useState, type ReactNode } from "react";
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
