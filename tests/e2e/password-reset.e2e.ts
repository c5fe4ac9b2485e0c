/**
 * Forgot password, in Chromium: a new account asks for a reset on one browser, reads the
 * mail on another where it is still signed in (the Mailbox page: no SMTP server here),
 * sets a new password with the link; the new password works, the old one does not, and
 * the other browser's session is gone. Plus screenshots of the new pages (390/1400 px, en/fa).
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, waitForHydration } from "./browser";
import { useBrowser } from "./harness";
import { startServer, type RunningServer } from "./server";

// Its own server with the job workers on (the shared one runs with SCHEDULER=0): the reset
// mail is written by the password_reset job, never by the request.
let server: RunningServer | undefined;
beforeAll(async () => {
  server = await startServer({ seedPayments: 300, env: { SCHEDULER: "1" } });
});
afterAll(async () => {
  await server?.stop();
});
const b = useBrowser({ baseURL: () => server!.url });
const SHOTS = process.env.SHOTS_DIR ?? path.resolve(import.meta.dirname, "../output/screenshots");

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe("password reset by e-mail", () => {
  it("asks for a link, reads it in the mailbox, sets a new password: the new one works, the old one and old sessions do not", async () => {
    const email = `reset-${Date.now()}@journey.test`;
    const oldPassword = "first-password-1234";
    const newPassword = "second-password-5678";

    // Phone: signs up (and stays signed in).
    const phone = await b.open({ width: 390, height: 844 });
    await phone.page.goto("/signup");
    await waitForHydration(phone.page);
    await phone.page.getByLabel("Business name").fill("Reset Journey Shop");
    await phone.page.getByLabel("Your name").fill("Reza Journey");
    await phone.page.getByLabel("Email").fill(email);
    await phone.page.getByLabel("Password", { exact: true }).fill(oldPassword);
    await Promise.all([phone.page.waitForURL("**/onboarding"), phone.page.getByRole("button", { name: "Create account" }).click()]);

    // Laptop: "Forgot your password?" on the sign-in page.
    const laptop = await b.open({ width: 1400, height: 900 });
    // The wrong old password answers 401, the used link 410: both asked for below.
    laptop.allow(/status of 401/);
    laptop.allow(/status of 410/);
    await laptop.page.goto("/login");
    await waitForHydration(laptop.page);
    await Promise.all([laptop.page.waitForURL("**/forgot-password"), laptop.page.getByRole("link", { name: "Forgot your password?" }).click()]);
    await waitForHydration(laptop.page);
    await laptop.page.getByLabel("E-mail address").fill(email);
    await laptop.page.getByRole("button", { name: "Send me a reset link" }).click();
    await laptop.page.getByRole("status").filter({ hasText: "a link to reset its password is on its way" }).waitFor();
    await shot(laptop.page, "forgot-sent-en-1400");
    expect(await laptop.page.getByRole("status").innerText()).toBe(
      `If ${email} has an account, a link to reset its password is on its way. It works once, for 60 minutes. No mail after a few minutes? Check the spam folder, or ask again.`,
    );

    // Phone: the mail is in the mailbox (no SMTP_URL on this server). The request only queues
    // a job (the same for every address, so its timing says nothing): the mail arrives when a
    // worker has run it, a moment later.
    const mail = phone.page.locator(".mailbox-item").filter({ hasText: "Reset your Merchant Console password" });
    const deadline = Date.now() + 30_000;
    for (;;) {
      await phone.page.goto("/mailbox");
      await waitForHydration(phone.page);
      if ((await mail.count()) > 0 || Date.now() > deadline) break;
      await phone.page.waitForTimeout(500);
    }
    await mail.locator("summary").click();
    const body = await mail.locator(".mailbox-body").innerText();
    const link = /https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]{40,64}/.exec(body)?.[0];
    expect(link, body).toBeDefined();
    await shot(phone.page, "mailbox-reset-mail-en-390");

    // Laptop: the link, a new password.
    await laptop.page.goto(new URL(link!).pathname);
    await waitForHydration(laptop.page);
    await laptop.page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    await shot(laptop.page, "reset-form-en-1400");
    await laptop.page.getByLabel("New password", { exact: true }).fill(newPassword);
    await laptop.page.getByLabel("New password again").fill(newPassword);
    await Promise.all([laptop.page.waitForURL("**/login?reason=password_reset"), laptop.page.getByRole("button", { name: "Set the new password" }).click()]);
    await laptop.page.getByText("Your password was changed and every session of your account was signed out.").waitFor();

    // The old password no longer signs in; the new one does.
    await laptop.page.getByLabel(/email/i).fill(email);
    await laptop.page.getByLabel(/password/i).fill(oldPassword);
    await laptop.page.getByRole("button", { name: /sign in/i }).click();
    await laptop.page.getByRole("alert").filter({ hasText: "The email or password is not correct." }).waitFor();
    await signIn(laptop.page, email, newPassword);
    expect(new URL(laptop.page.url()).pathname).not.toBe("/login");

    // The phone's session ended with the reset.
    await phone.page.goto("/mailbox");
    await phone.page.waitForURL(/\/login/);
    expect(new URL(phone.page.url()).pathname).toBe("/login");

    // The link works once.
    await laptop.page.goto(new URL(link!).pathname);
    await laptop.page.getByText("This reset link was already used").waitFor();
  });

  it("screenshots: Notifications, Mailbox, Forgot and Reset pages at 390 and 1400 px in English and Persian", async () => {
    for (const width of [390, 1400]) {
      for (const [lang, user] of [
        ["en", "owner@coffee.test"],
        ["fa", "fa@coffee.test"],
      ] as const) {
        const w = await b.open({ width, height: 900 });
        // Leaving a page while Remix still discovers its links' routes aborts that fetch (no person sees it).
        w.allow(/Failed to fetch manifest patches/);
        await signIn(w.page, user);
        await w.page.goto("/settings/notifications");
        await waitForHydration(w.page);
        await w.page.getByRole("heading", { level: 1 }).waitFor();
        await shot(w.page, `notifications-${lang}-${width}`);
        await w.page.goto("/mailbox");
        await waitForHydration(w.page);
        await shot(w.page, `mailbox-${lang}-${width}`);
        const anon = await b.open({ width, height: 900 });
        anon.allow(/status of 410/);
        await anon.page.goto(`/forgot-password?lang=${lang}`);
        await waitForHydration(anon.page);
        await shot(anon.page, `forgot-${lang}-${width}`);
        await anon.page.goto(`/reset-password/${"x".repeat(43)}?lang=${lang}`);
        await waitForHydration(anon.page);
        await shot(anon.page, `reset-unknown-${lang}-${width}`);
      }
    }
  });
});
