import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { normalizeLocale } from "~/lib/i18n/locales";
import { loadCatalog } from "~/lib/i18n/translate";

// Only the reader's language catalog is downloaded: the one the server rendered the page in.
// Hydration waits for it, so the first render matches the server's HTML word for word.
const hydrate = () =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  });

loadCatalog(normalizeLocale(document.documentElement.lang)).then(hydrate, hydrate);
