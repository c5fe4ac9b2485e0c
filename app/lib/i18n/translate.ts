/**
 * Message lookup and interpolation without a library: `{name}` placeholders and
 * plurals chosen by Intl.PluralRules from `params.count`. Pure, so loaders, actions,
 * meta functions and components all translate the same way.
 */
import type { MessageKey } from "./en";
import { SERVER_CATALOGS } from "./catalogs.server";
import { intlLocale, localeDir, normalizeLocale, type Locale } from "./locales";
import type { Message, MessageParams, PluralMessage } from "./types";

type Catalog = Readonly<Record<MessageKey, Message>>;

/**
 * The catalogs this process has. On the server both (catalogs.server.ts); in the browser
 * that module is empty and only the reader's language is loaded, on demand: the page's
 * language before hydration (entry.client.tsx), another one when the reader switches.
 */
export const CATALOGS: Partial<Record<Locale, Catalog>> = { ...(SERVER_CATALOGS as Partial<Record<Locale, Catalog>> | undefined) };

const loading = new Map<Locale, Promise<void>>();
const failed = new Set<Locale>();

/** True when the last attempt to load this language's catalog failed (the reader sees the one that is loaded). */
export function catalogFailed(locale: Locale): boolean {
  return failed.has(locale);
}

export function hasCatalog(locale: Locale): boolean {
  return CATALOGS[locale] !== undefined;
}

/** Loads a language's catalog (its own chunk in the browser bundle); resolves at once when it is here. */
export function loadCatalog(locale: Locale): Promise<void> {
  if (CATALOGS[locale]) return Promise.resolve();
  let p = loading.get(locale);
  if (!p) {
    p = (locale === "fa" ? import("./fa").then((m) => m.fa) : import("./en").then((m) => m.en)).then((c) => {
      CATALOGS[locale] = c;
    });
    // A chunk that did not load (offline): remembered, so the page renders in the language it
    // has instead of asking again on every render (a reload tries again).
    p.catch(() => {
      loading.delete(locale);
      failed.add(locale);
    });
    failed.delete(locale);
    loading.set(locale, p);
  }
  return p;
}

export type { MessageKey, MessageParams };

/** For keys built from data (a status from the API, a code from the server). Every catalog has the same keys (CatalogShape). */
export function isMessageKey(key: string): key is MessageKey {
  const catalog = CATALOGS.en ?? CATALOGS.fa;
  return catalog !== undefined && Object.prototype.hasOwnProperty.call(catalog, key);
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

function numberFormat(tag: string): Intl.NumberFormat {
  let nf = numberFormats.get(tag);
  if (!nf) {
    nf = new Intl.NumberFormat(tag, { maximumFractionDigits: 20 });
    numberFormats.set(tag, nf);
  }
  return nf;
}

function plural(tag: string): Intl.PluralRules {
  let pr = pluralRules.get(tag);
  if (!pr) {
    pr = new Intl.PluralRules(tag);
    pluralRules.set(tag, pr);
  }
  return pr;
}

function isPlural(m: Message): m is PluralMessage {
  return typeof m === "object" && m !== null;
}

// First-strong isolates: a Latin name or id inside a Persian sentence keeps its own
// direction and does not drag the surrounding punctuation to the wrong side.
const FSI = "\u2068";
const PDI = "\u2069";
const NEEDS_ISOLATION = /[A-Za-z0-9@_]/;

function formatParam(value: string | number | bigint, tag: string, rtl: boolean): string {
  if (typeof value === "number" || typeof value === "bigint") {
    // Intl.NumberFormat#format takes a decimal string exactly; bigint goes through it.
    return numberFormat(tag).format(typeof value === "bigint" ? (value.toString() as unknown as number) : value);
  }
  return rtl && NEEDS_ISOLATION.test(value) ? `${FSI}${value}${PDI}` : value;
}

function selectForm(m: PluralMessage, count: MessageParams[string] | undefined, tag: string): string {
  if (count === undefined) return m.other;
  const n = typeof count === "bigint" ? Number(count) : typeof count === "number" ? count : Number(count);
  if (!Number.isFinite(n)) return m.other;
  const category = plural(tag).select(n);
  return m[category] ?? m.other;
}

/**
 * The message for `key` in `locale`, with `{name}` replaced by params.name.
 *
 * `locale` is a catalog locale ("fa") or a full Intl tag ("fa-IR-u-nu-latn"): the
 * catalog comes from its language, number parameters are formatted with the whole tag,
 * so a Persian reader who chose Latin digits gets them in sentences too.
 * A placeholder without a param stays visible ("{name}") rather than silently vanishing.
 */
export function translate(locale: string, key: MessageKey, params?: MessageParams): string {
  const lang = normalizeLocale(locale);
  const tag = locale.includes("-") ? locale : intlLocale(lang);
  // A catalog not loaded yet in the browser (I18nProvider waits for it) reads as the one that is.
  const catalog = CATALOGS[lang] ?? CATALOGS.en ?? CATALOGS.fa;
  const message: Message | undefined = catalog?.[key];
  if (message === undefined) return key;
  const template = isPlural(message) ? selectForm(message, params?.count, tag) : message;
  if (!params) return template;
  const rtl = localeDir(lang) === "rtl";
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : formatParam(value, tag, rtl);
  });
}

export type Translator = (key: MessageKey, params?: MessageParams) => string;

/** Codes (a refusal's, an error's) and the catalog keys that say them. */
export type CodeMessages = Readonly<Record<string, MessageKey>>;

/** The message of `code` in the first table that names it; null when none does. */
export function codeMessage(t: Translator, code: string, ...tables: CodeMessages[]): string | null {
  const table = tables.find((m) => Object.hasOwn(m, code));
  return table ? t(table[code]!) : null;
}

/** A translator bound to one locale tag (see `translate` for what the tag may be). */
export function translator(locale: string): Translator {
  return (key, params) => translate(locale, key, params);
}

/** The `{placeholders}` a message uses, for catalog checks. */
export function placeholdersOf(message: Message): string[] {
  const texts = isPlural(message) ? Object.values(message).filter((v): v is string => typeof v === "string") : [message];
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/\{([A-Za-z0-9_]+)\}/g)) names.add(m[1]!);
  return [...names].sort();
}
