/**
 * Filter controls for list pages: a plain GET form (works without JavaScript), so the
 * filters end up in the URL and a link or the back button reproduces the view.
 */
import { Form, Link, useLocation, useNavigation, useSubmit } from "@remix-run/react";
import { useId, type ReactNode } from "react";
import { DayField } from "~/components/day-input";
import { errorAria, FieldError } from "~/components/form";
import type { FieldErrors } from "~/lib/forms";
import type { MessageKey } from "~/lib/i18n/en";
import { amountErrorMessage, listFieldError, rangePresetLabel } from "~/lib/i18n/messages";
import { isCurrencyCode, parseAmount } from "~/lib/money";
import { useFormat, useT } from "~/lib/i18n/react";

export type { FieldErrors } from "~/lib/forms";

/**
 * The filter form: children are the fields; `preserve` keeps sort/columns/page size across a new filter.
 * On a phone it folds behind one "Filters (n)" button (n: the filters in force), so the list is the
 * first thing on the screen; it opens by itself when a field was refused. Wider screens always show it
 * (the stylesheet makes the disclosure's content visible, so this needs no script).
 */
export function FilterForm(props: {
  children: ReactNode;
  preserve: Record<string, string | readonly string[] | undefined>;
  clearHref: string;
  label: string;
  /** How many filters are in force (the chips). */
  active?: number;
  /** Open on a phone too (a field was refused). */
  open?: boolean;
}) {
  const t = useT();
  const active = props.active ?? 0;
  return (
    <details className="filters-disclosure" open={props.open ? true : undefined}>
      <summary className="btn filters-toggle">{active > 0 ? t("filters.toggleCount", { count: active }) : t("filters.toggle")}</summary>
      <Form method="get" className="card filters" role="search" aria-label={props.label} preventScrollReset>
        {Object.entries(props.preserve).flatMap(([k, v]) =>
          v === undefined ? [] : (typeof v === "string" ? [v] : v).map((x, i) => <input key={`${k}-${i}`} type="hidden" name={k} value={x} />),
        )}
        <div className="filter-grid">{props.children}</div>
        <div className="filter-actions">
          <FilterActions clearHref={props.clearHref} />
        </div>
      </Form>
    </details>
  );
}

/**
 * A filter form's two buttons: apply (the form's own words, or "Apply"; "Applying…" while this
 * page loads the new filter) and clear (back to the list without filters).
 */
export function FilterActions({ clearHref, label }: { clearHref: string; label?: string }) {
  const t = useT();
  const navigation = useNavigation();
  const { pathname } = useLocation();
  const busy = navigation.state !== "idle" && navigation.location?.pathname === pathname;
  return (
    <>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? t("filters.applying") : (label ?? t("common.apply"))}
      </button>
      <Link to={clearHref} className="btn" preventScrollReset>
        {t("common.clearFilters")}
      </Link>
    </>
  );
}

export const RANGE_OPTIONS = ["all", "today", "7d", "30d", "90d", "12m", "mtd"] as const;

/** A list's range in words: its presets as the Overview's picker says them, "All time", else "Custom range". */
export function rangeLabel(t: ReturnType<typeof useT>, range: string): string {
  if (range === "all") return t("filters.allTime");
  const preset = RANGE_OPTIONS.find((o): o is Exclude<(typeof RANGE_OPTIONS)[number], "all"> => o === range && o !== "all");
  return rangePresetLabel(t, preset ?? "custom");
}

/** A preset select and explicit first/last days (the days win when set). */
export function DateRangeFields(props: {
  range: string;
  from?: string;
  to?: string;
  errors: FieldErrors;
  options?: readonly string[];
  legend?: string;
}) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const options = props.options ?? RANGE_OPTIONS;
  const custom = !!(props.from || props.to);
  // The server's reasons are English and about ISO days; a Persian reader is told in Persian, in Jalali terms.
  const fieldError = (field: "range" | "from" | "to") => listFieldError(t, fmt, field, props.errors[field]);
  return (
    <fieldset className="filter-range">
      <legend>{props.legend ?? t("filters.dateRange")}</legend>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-range`}>{t("dates.period")}</label>
          <select
            id={`${id}-range`}
            name="range"
            defaultValue={custom ? "custom" : props.range}
            onChange={(e) => {
              // A preset replaces typed dates (they would otherwise win on the server).
              if (e.currentTarget.value === "custom") return;
              const form = e.currentTarget.form;
              for (const name of ["from", "to"]) {
                const input = form?.elements.namedItem(name);
                if (input instanceof HTMLInputElement) input.value = "";
              }
            }}
          >
            {options.map((o) => (
              <option key={o} value={o}>
                {rangeLabel(t, o)}
              </option>
            ))}
            <option value="custom">{t("dates.range.custom")}</option>
          </select>
        </div>
        {(["from", "to"] as const).map((name) => (
          <DayField key={name} id={`${id}-${name}`} name={name} label={t(`dates.${name}`)} defaultValue={props[name]} error={fieldError(name)} />
        ))}
      </div>
      <FieldError block id={`${id}-range-error`} message={fieldError("range")} />
    </fieldset>
  );
}

/** A multi-select as a disclosure of checkboxes, keyboard reachable and labelled. */
export function CheckboxMenu(props: {
  name: string;
  legend: string;
  options: { value: string; label: string }[];
  selected: readonly string[];
  error?: string;
}) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const chosen = props.options.filter((o) => props.selected.includes(o.value)).map((o) => o.label);
  const summary = chosen.length === 0 ? t("filters.any") : chosen.length <= 2 ? chosen.join(", ") : t("filters.nSelected", { count: chosen.length });
  return (
    // A refused choice opens the menu: its message sits inside, with the choices to pick from.
    <details className="menu" open={props.error ? true : undefined}>
      <summary>
        <span className="menu-label">{props.legend}</span> <span className="menu-value">{summary}</span>
      </summary>
      <fieldset className="menu-panel">
        <legend className="visually-hidden">{props.legend}</legend>
        {props.options.length === 0 ? <p className="muted">{t("filters.noOptions")}</p> : null}
        {props.options.map((o) => (
          <label key={o.value} className="check">
            <input type="checkbox" name={props.name} value={o.value} defaultChecked={props.selected.includes(o.value)} /> {o.label}
          </label>
        ))}
      </fieldset>
      <FieldError block id={`${id}-error`} message={listFieldError(t, fmt, props.name, props.error, props.legend)} />
    </details>
  );
}

export function AmountFields(props: { min?: string; max?: string; currency: string; errors: FieldErrors }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  // The server's reason is English; the same parse here says it in the reader's language
  // (a bound that parses was refused for another reason, such as max below min).
  const amountError = (name: "min" | "max"): string | undefined => {
    const message = props.errors[name];
    const typed = props[name];
    if (!message || !typed || !isCurrencyCode(props.currency)) return listFieldError(t, fmt, name, message);
    const r = parseAmount(typed, props.currency);
    return r.ok ? listFieldError(t, fmt, name, message) : amountErrorMessage(t, fmt, r);
  };
  return (
    <fieldset className="filter-amount">
      <legend>{t("filters.amount", { currency: props.currency === "IRR" ? t("money.unit.rial") : props.currency })}</legend>
      <div className="form-row">
        {(["min", "max"] as const).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`${id}-${name}`}>{t(name === "min" ? "filters.minAmount" : "filters.maxAmount")}</label>
            <input
              id={`${id}-${name}`}
              type="text"
              inputMode="decimal"
              name={name}
              size={12}
              defaultValue={props[name] ?? ""}
              autoComplete="off"
              {...errorAria(props.errors[name], `${id}-${name}-error`)}
            />
            <FieldError block id={`${id}-${name}-error`} message={amountError(name)} />
          </div>
        ))}
      </div>
    </fieldset>
  );
}

export function SearchField(props: { value?: string; label: string; hint: string; error?: string }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const error = listFieldError(t, fmt, "q", props.error, props.label);
  return (
    <div className="field filter-search">
      <label htmlFor={`${id}-q`}>{props.label}</label>
      <input
        id={`${id}-q`}
        type="search"
        name="q"
        defaultValue={props.value ?? ""}
        autoComplete="off"
        aria-describedby={`${id}-q-hint${props.error ? ` ${id}-q-error` : ""}`}
        aria-invalid={props.error ? true : undefined}
      />
      <span className="hint" id={`${id}-q-hint`}>
        {props.hint}
      </span>
      <FieldError block id={`${id}-q-error`} message={error} />
    </div>
  );
}

export function PageSizeField({ value }: { value: number }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={`${id}-limit`}>{t("filters.pageSize")}</label>
      <select id={`${id}-limit`} name="limit" defaultValue={String(value)}>
        {[25, 50, 100].map((n) => (
          <option key={n} value={n}>
            {fmt.number(n)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The filters in force, each with a link that removes it. */
export function ActiveFilters({ chips }: { chips: { key: string; label: string; removeHref: string }[] }) {
  const t = useT();
  if (chips.length === 0) return null;
  return (
    <ul className="chips" aria-label={t("filters.active")}>
      {chips.map((c) => (
        <li key={c.key}>
          <span>{c.label}</span>
          <Link to={c.removeHref} preventScrollReset aria-label={t("filters.remove", { filter: c.label })}>
            ×
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** Which columns to show: its own small GET form carrying every other parameter along. */
export function ColumnPicker(props: { columns: { id: string; label: string }[]; visible: readonly string[] }) {
  const t = useT();
  const location = useLocation();
  const submit = useSubmit();
  const params = new URLSearchParams(location.search);
  const carried = [...params.entries()].filter(([k]) => k !== "cols" && k !== "cursor");
  return (
    <details className="menu column-picker">
      <summary>{t("table.columns")}</summary>
      <Form method="get" className="menu-panel" preventScrollReset onChange={(e) => submit(e.currentTarget, { preventScrollReset: true })}>
        {carried.map(([k, v], i) => (
          <input key={`${k}-${i}`} type="hidden" name={k} value={v} />
        ))}
        <fieldset>
          <legend className="visually-hidden">{t("table.columns")}</legend>
          {props.columns.map((c) => (
            <label key={c.id} className="check">
              <input type="checkbox" name="cols" value={c.id} defaultChecked={props.visible.includes(c.id)} /> {c.label}
            </label>
          ))}
        </fieldset>
        <noscript>
          <button type="submit" className="btn">
            {t("common.apply")}
          </button>
        </noscript>
      </Form>
    </details>
  );
}

/** Labels for a vocabulary (status, brand...) through the catalog. */
export function vocabOptions(t: ReturnType<typeof useT>, prefix: string, values: readonly string[]): { value: string; label: string }[] {
  return values.map((v) => ({ value: v, label: t(`${prefix}.${v}` as MessageKey) }));
}
