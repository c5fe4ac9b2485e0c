/**
 * Polls `check` every `every` ms until it is true or `ms` have passed; answers the last
 * check's result (so a test asserts on it and fails with its own message).
 */
export async function until(check: () => boolean | Promise<boolean>, ms: number, every = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return check();
}
