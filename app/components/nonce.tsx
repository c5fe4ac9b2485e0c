import { createContext, useContext } from "react";

// The CSP nonce of this response, for Remix's inline scripts. Empty in the browser
// (browsers hide nonce attributes from scripts), which is why hydration ignores it.
const NonceContext = createContext<string | undefined>(undefined);
export const NonceProvider = NonceContext.Provider;
export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
