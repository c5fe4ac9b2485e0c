/** @type {import('@remix-run/dev').AppConfig} */
export default {
  // Classic Remix compiler (esbuild), ESM server bundle run by app/server/main.ts.
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // PGlite loads its wasm and data files relative to its own folder: never bundle it.
  serverDependenciesToBundle: [],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: false,
  },
};
