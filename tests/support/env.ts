/**
 * Sets an environment variable (undefined deletes it) and answers the function that puts it
 * back as it was: a test that points the app at its own server restores what it found.
 */
export function setEnv(name: string, value: string | undefined): () => void {
  const before = process.env[name];
  const put = (v: string | undefined) => {
    if (v === undefined) delete process.env[name];
    else process.env[name] = v;
  };
  put(value);
  return () => put(before);
}
