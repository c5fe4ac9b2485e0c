/**
 * Both catalogs, for the server (loaders, actions, mail, jobs, tests). A `.server` module:
 * the Remix compiler leaves it out of the browser bundle, where only the reader's own
 * catalog is loaded (translate.ts loadCatalog, from entry.client.tsx before hydration).
 */
import { en } from "./en";
import { fa } from "./fa";

export const SERVER_CATALOGS = { en, fa } as const;
