import type { MetaDescriptor } from "@remix-run/node";
import type { MessageKey } from "~/lib/i18n/en";
import type { MessageParams } from "~/lib/i18n/types";
import { translate } from "~/lib/i18n/translate";
import { APP_ROUTE_ID } from "~/lib/shell";

/** `<title>` of a signed-in page in the viewer's language. */
export function pageTitle(matches: readonly { id: string; data?: unknown }[], key: MessageKey, params?: MessageParams): MetaDescriptor[] {
  const shell = matches.find((m) => m.id === APP_ROUTE_ID)?.data as { locale?: string } | undefined;
  return titleIn(shell?.locale ?? "en", key, params);
}

/** `<title>` of a page before sign-in, in the language its loader settled on. */
export function publicPageTitle(data: { prefs: { locale: string } } | undefined, key: MessageKey): MetaDescriptor[] {
  return titleIn(data?.prefs.locale ?? "en", key);
}

function titleIn(locale: string, key: MessageKey, params?: MessageParams): MetaDescriptor[] {
  return [{ title: translate(locale, "app.pageTitle", { page: translate(locale, key, params) }) }];
}
