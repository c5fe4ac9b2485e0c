/** The frame of the cardholder's pages: merchant, language switch, and a footer saying who takes the card. */
import type { ReactNode } from "react";
import { LOCALE_AUTONYMS, LOCALES } from "~/lib/i18n/locales";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { formatMoney } from "~/lib/money";

export function PayLayout({ merchantName, children, path }: { merchantName: string; children: ReactNode; path: string }) {
  const t = useT();
  const { prefs } = useI18n();
  return (
    <div className="pay-page">
      <header className="pay-header">
        <span className="pay-merchant">{merchantName}</span>
        <nav aria-label={t("pay.language")} className="pay-lang">
          {LOCALES.filter((l) => l !== prefs.locale).map((l) => (
            <a key={l} href={`${path}?lang=${l}`} lang={l} hrefLang={l}>
              {LOCALE_AUTONYMS[l]}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" className="pay-main">
        {children}
      </main>
      <footer className="pay-footer">{t("pay.footer")}</footer>
    </div>
  );
}

/** Rial as charged, and toman as people say it (a factor of ten that is easy to get wrong). */
export function AmountWithToman({ amount, currency }: { amount: string; currency: string }) {
  const t = useT();
  const fmt = useFormat();
  if (currency !== "IRR") return <span className="pay-amount num">{fmt.money(amount, currency)}</span>;
  return (
    <span className="pay-amount">
      <span className="num">{fmt.money(amount, currency)}</span>
      <span className="pay-toman">{t("pay.tomanEquivalent", { amount: formatMoney(BigInt(amount), "IRR", { locale: fmt.locale, display: "toman" }) })}</span>
    </span>
  );
}
