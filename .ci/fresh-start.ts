/**
 * The fresh-user path, as the README tells it: the built app started on an empty
 * embedded database in a temporary folder must migrate, seed, serve /login, let the
 * demo owner sign in and show the Overview; then stop promptly on SIGTERM.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mc-fresh-"));
const port = 3300 + Math.floor(Math.random() * 500);
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env, PGLITE_DIR: path.join(dir, "data", "pglite"), PORT: String(port), NODE_ENV: "production" };
delete env.DATABASE_URL;
const started = Date.now();
const server = spawn(process.execPath, ["--import", "tsx", "app/server/main.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
let output = "";
server.stdout.on("data", (d) => (output += d));
server.stderr.on("data", (d) => (output += d));

async function waitForLogin(): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (server.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const res = await fetch(`${base}/login`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`/login did not answer within 120 s:\n${output}`);
}

let failed = false;
try {
  await waitForLogin();
  console.log(`/login served ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
  // The README sends a new user to the logins the start prints.
  for (let i = 0; i < 50 && !/Demo logins[^\n]*demo-password-123[\s\S]*owner@coffee\.test/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
  if (!/Demo logins[^\n]*demo-password-123[\s\S]*owner@coffee\.test/.test(output)) throw new Error(`the start did not print the demo logins:\n${output}`);
  const rss = Number(fs.readFileSync(`/proc/${server.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill("owner@coffee.test");
  await page.getByLabel("Password").fill("demo-password-123");
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.getByRole("button", { name: /sign in/i }).click()]);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  const body = await page.locator("main").innerText();
  if (!/IRR|ریال|rial/i.test(body)) throw new Error(`Overview shows no rial amounts:\n${body.slice(0, 500)}`);
  if (errors.length) throw new Error(`browser console errors: ${errors.join("\n")}`);
  console.log(`demo owner signed in and read the Overview; server RSS after start ${(rss / 1024).toFixed(0)} MB`);
  await browser.close();
} catch (e) {
  failed = true;
  console.error(e);
  console.error(output.slice(-4000));
} finally {
  const t = Date.now();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  const stopMs = Date.now() - t;
  console.log(`stopped ${stopMs} ms after SIGTERM`);
  if (stopMs > 3000) failed = true;
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
