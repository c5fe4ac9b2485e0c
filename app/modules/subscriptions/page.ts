/**
 * A list's page from the caller's limit and offset: the limit defaults to `fallback` and
 * stops at `max`; the offset stays between 0 and 1,000,000.
 */
export function pageBounds(opts: { limit?: number; offset?: number }, fallback: number, max: number): { limit: number; offset: number } {
  return { limit: Math.min(opts.limit ?? fallback, max), offset: Math.max(0, Math.min(opts.offset ?? 0, 1_000_000)) };
}
