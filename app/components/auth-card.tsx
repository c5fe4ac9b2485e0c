import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { LOCALES, LOCALE_AUTONYMS, localeDir, type Locale } from "~/lib/i18n/locales";
import { useI18n, useT } from "~/lib/i18n/react";

/**
 * The frame of the pages before sign-in (sign-in, sign-up, invitation, password reset):
 * the brand, the title, and links to the same page in the other languages.
 */
export function AuthCard({
  titleId,
  title,
  languageHref,
  backToLogin = false,
  children,
}: {
  titleId: string;
  title: ReactNode;
  /** The same page in another language; by default `?lang=xx` on this URL. */
  languageHref?: (locale: Locale) => string;
  /** A way back to the sign-in page under the content (the password reset pages). */
  backToLogin?: boolean;
  children: ReactNode;
}) {
  const t = useT();
  const { prefs } = useI18n();
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby={titleId}>
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} /> {t("app.name")}
        </div>
        <h1 id={titleId}>{title}</h1>
        {children}
        {backToLogin ? (
          <p className="auth-alt">
            <Link to="/login">{t("forgot.back")}</Link>
          </p>
        ) : null}
        <nav className="language-switcher auth-languages" aria-label={t("login.otherLanguage")}>
          {LOCALES.filter((l) => l !== prefs.locale).map((l) => (
            <Link key={l} to={languageHref ? languageHref(l) : `?lang=${l}`} lang={l} dir={localeDir(l)} hrefLang={l}>
              {LOCALE_AUTONYMS[l]}
            </Link>
          ))}
        </nav>
      </section>
    </main>
  );
}
