import { describe, expect, it } from "vitest";
import { en } from "~/lib/i18n/en";
import { fa } from "~/lib/i18n/fa";
import { LOCALES } from "~/lib/i18n/locales";
import { SERVER_CATALOGS as CATALOGS } from "~/lib/i18n/catalogs.server";
import { placeholdersOf } from "~/lib/i18n/translate";
import type { Message } from "~/lib/i18n/types";

const KEY_PATTERN = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9_:]+)+$/;
const enKeys = Object.keys(en).sort();

function texts(m: Message): string[] {
  return typeof m === "string" ? [m] : Object.values(m).filter((v): v is string => typeof v === "string");
}

describe("message catalogs", () => {
  it.each(LOCALES)("%s has exactly the keys of en", (locale) => {
    const keys = Object.keys(CATALOGS[locale]).sort();
    expect(keys.filter((k) => !(k in en)), "keys en does not have").toEqual([]);
    expect(enKeys.filter((k) => !(k in CATALOGS[locale])), "keys missing").toEqual([]);
  });

  it("names keys area.thing[.variant], and no key is also a prefix of another", () => {
    expect(enKeys.filter((k) => !KEY_PATTERN.test(k))).toEqual([]);
    const prefixes = enKeys.filter((k) => enKeys.some((other) => other.startsWith(`${k}.`)));
    expect(prefixes).toEqual([]);
  });

  it.each(LOCALES)("%s has no empty or untrimmed messages", (locale) => {
    const bad = Object.entries(CATALOGS[locale] as Record<string, Message>)
      .filter(([, m]) => texts(m).some((s) => s.trim() === "" || s !== s.trim()))
      .map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it("uses the same {placeholders} in every language", () => {
    const mismatched = enKeys.flatMap((key) =>
      LOCALES.filter(
        (locale) =>
          JSON.stringify(placeholdersOf((CATALOGS[locale] as Record<string, Message>)[key]!)) !==
          JSON.stringify(placeholdersOf((en as Record<string, Message>)[key]!)),
      ).map((locale) => `${locale}:${key}`),
    );
    expect(mismatched).toEqual([]);
  });

  it("gives plurals where English has them, with an `other` form, and `count` to choose by", () => {
    for (const key of enKeys) {
      const source = (en as Record<string, Message>)[key]!;
      for (const locale of LOCALES) {
        const m = (CATALOGS[locale] as Record<string, Message>)[key]!;
        expect(typeof m, `${locale}:${key}`).toBe(typeof source);
        if (typeof m === "object") {
          expect(m.other, `${locale}:${key}`).toBeTruthy();
          expect(placeholdersOf(m), `${locale}:${key}`).toContain("count");
        }
      }
    }
  });

  it("writes Persian with Persian ye and kaf, not the Arabic letters", () => {
    const arabic = Object.entries(fa as Record<string, Message>)
      .filter(([, m]) => texts(m).some((s) => /[\u064A\u0643\u0649]/.test(s)))
      .map(([k]) => k);
    expect(arabic).toEqual([]);
  });

  it("keeps numbers out of Persian sentences (placeholders follow the digit preference)", () => {
    // These name a digit system or a standard on purpose.
    const allowed = new Set(["prefs.digits.latn"]);
    // Names that contain a digit (CVV2, UTF-8) are words, not numbers.
    const names = /[A-Za-z][A-Za-z-]*[0-9][A-Za-z0-9-]*/g;
    const withDigits = Object.entries(fa as Record<string, Message>)
      .filter(([k, m]) => !allowed.has(k) && texts(m).some((s) => /[0-9\u06F0-\u06F9\u0660-\u0669]/.test(s.replace(/\{\w+\}/g, "").replace(names, ""))))
      .map(([k]) => k);
    expect(withDigits).toEqual([]);
  });

  it("translates every message (a Persian message equal to the English one is a forgotten one)", () => {
    // Brand and standard names are the same in both languages.
    const same = new Set(["shell.merchantWithRole", "card.masked", "common.rowsRange", "bankKind.iban"]);
    const untranslated = enKeys.filter(
      (k) => !same.has(k) && JSON.stringify((fa as Record<string, Message>)[k]) === JSON.stringify((en as Record<string, Message>)[k]),
    );
    expect(untranslated).toEqual([]);
  });
});
