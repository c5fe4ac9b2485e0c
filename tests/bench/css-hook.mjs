// Route modules import stylesheets for Remix's links(); outside the Remix compiler
// a stylesheet import is just its URL, which the benchmark never needs.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".css")) return { format: "module", source: `export default ${JSON.stringify(url)};`, shortCircuit: true };
  return nextLoad(url, context);
}
