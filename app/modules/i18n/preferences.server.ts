/**
 * A viewer's language and formats: resolved from the signed-in context for every
 * page, saved from the preferences form and the shell's language switcher.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db, type DbOrTx } from "~db/client.server";
import { users } from "~db/schema";
import {
  DIGITS_PREFERENCES,
  IRR_DISPLAYS,
  LOCALES,
  type DigitsPreference,
  type IrrDisplay,
  type Locale,
} from "~/lib/i18n/locales";
import { preferencesTag, resolvePreferencesFrom, type Preferences } from "~/lib/i18n/preferences";
import { translator, type Translator } from "~/lib/i18n/translate";
import type { AppContext } from "~/modules/access/context";

export type { Preferences };

/** The user's choices, else the merchant's default language, time zone and currency. */
export function resolvePreferences(ctx: Pick<AppContext, "user" | "merchant">): Preferences {
  return resolvePreferencesFrom({ user: ctx.user, merchant: ctx.merchant });
}

/** Messages for a loader or action in the viewer's language and digits (errors an action returns, emails, titles). */
export function serverTranslator(prefs: Pick<Preferences, "locale" | "digits">): Translator {
  return translator(preferencesTag(prefs));
}

export interface PreferenceChanges {
  locale?: Locale;
  digits?: DigitsPreference;
  irrDisplay?: IrrDisplay;
}

/** Form fields of the preferences form and the language switcher: each optional, at least one. */
export const preferenceChangesSchema = z
  .object({
    locale: z.enum(LOCALES).optional(),
    digits: z.enum(DIGITS_PREFERENCES as [DigitsPreference, ...DigitsPreference[]]).optional(),
    irrDisplay: z.enum(IRR_DISPLAYS as [IrrDisplay, ...IrrDisplay[]]).optional(),
  })
  .refine((v) => v.locale !== undefined || v.digits !== undefined || v.irrDisplay !== undefined, {
    message: "empty",
  });

/**
 * Saves the signed-in user's own display preferences. They belong to the person, not
 * to a merchant, so they follow the user across every merchant they work for.
 */
export async function savePreferences(
  user: { userId: string },
  changes: PreferenceChanges,
  dbx: DbOrTx = db(),
): Promise<void> {
  const set: Partial<typeof users.$inferInsert> = {};
  if (changes.locale !== undefined) set.locale = changes.locale;
  if (changes.digits !== undefined) set.digits = changes.digits;
  if (changes.irrDisplay !== undefined) set.irrDisplay = changes.irrDisplay;
  if (Object.keys(set).length === 0) return;
  await dbx
    .update(users)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(users.id, user.userId));
}
