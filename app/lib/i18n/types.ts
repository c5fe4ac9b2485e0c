/** Shapes of catalog entries, shared by en.ts (which defines the keys) and the rest. */

/** Plural categories of Intl.PluralRules: en uses one/other, fa only needs other. */
export type PluralCategory = Intl.LDMLPluralRule;

/** A message that depends on `params.count`; `other` is the form every language has. */
export type PluralMessage = { readonly other: string } & {
  readonly [C in Exclude<PluralCategory, "other">]?: string;
};

export type Message = string | PluralMessage;

/** Values a message may interpolate. Numbers and bigints are formatted for the locale (grouped, its digits). */
export type MessageParams = Readonly<Record<string, string | number | bigint>>;
