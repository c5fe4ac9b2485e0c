import express from "express";
import type { AddressInfo } from "node:net";
import { contentSecurityPolicy, foreignOrigin, securityHeaders } from "../../../app/server/security-headers";
import { clientIp, safeRedirect } from "../../../app/web/request.server";
import { describeDevice } from "../../../app/lib/user-agent";
import { matchStep, totpCodeAt, currentStep, newTotpSecret } from "../../../app/modules/auth/totp.server";
import { passwordProblem } from "../../../app/modules/auth/password.server";
import { homePath } from "../../../app/lib/permissions";

describe("security headers", () => {
  it("puts a fresh nonce in the CSP and res.locals for every response", async () => {
    const app = express();
    app.set("trust proxy", 1);
    app.use(securityHeaders({ development: false }));
    app.get("/", (req, res) => res.json({ nonce: res.locals.cspNonce, ip: req.headers["x-mc-client-ip"] }));
    const server = app.listen(0);
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const a = await fetch(base + "/", { headers: { "x-mc-client-ip": "1.2.3.4" } });
      const b = await fetch(base + "/", { headers: { "x-forwarded-proto": "https" } });
      const bodyA = (await a.json()) as { nonce: string; ip: string };
      const bodyB = (await b.json()) as { nonce: string };
      expect(bodyA.nonce).not.toBe(bodyB.nonce);
      // The client cannot choose its own address for the login limiter.
      expect(bodyA.ip).not.toBe("1.2.3.4");
      const csp = a.headers.get("content-security-policy")!;
      expect(csp).toContain(`script-src 'self' 'nonce-${bodyA.nonce}'`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe-eval");
      expect(a.headers.get("x-content-type-options")).toBe("nosniff");
      expect(a.headers.get("referrer-policy")).toBe("same-origin");
      expect(a.headers.get("x-frame-options")).toBe("DENY");
      expect(a.headers.get("strict-transport-security")).toBeNull();
      expect(b.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
    } finally {
      server.close();
    }
  });

  it("refuses a state-changing request from another origin with 403 (not Remix's empty 500)", async () => {
    const app = express();
    app.use(securityHeaders({ development: false }));
    app.post("/staff", (_req, res) => res.send("reached"));
    const server = app.listen(0);
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const evil = await fetch(base + "/staff", { method: "POST", headers: { origin: "https://evil.example" } });
      expect(evil.status).toBe(403);
      expect(await evil.text()).toMatch(/another site/);
      const same = await fetch(base + "/staff", { method: "POST", headers: { origin: base } });
      expect(await same.text()).toBe("reached");
    } finally {
      server.close();
    }
    const h = (o: Record<string, string>) => ({ method: "POST", path: "/x", headers: o }) as never;
    expect(foreignOrigin(h({ origin: "https://a.test", host: "a.test" }))).toBe(false);
    // X-Forwarded-Host is a proxy's word: believed only with TRUST_PROXY=1.
    expect(foreignOrigin(h({ origin: "https://a.test", host: "internal:3000", "x-forwarded-host": "a.test" }))).toBe(true);
    process.env.TRUST_PROXY = "1";
    try {
      expect(foreignOrigin(h({ origin: "https://a.test", host: "internal:3000", "x-forwarded-host": "a.test" }))).toBe(false);
    } finally {
      delete process.env.TRUST_PROXY;
    }
    // An opaque origin (sandboxed frame, data: page) is refused like a foreign one.
    expect(foreignOrigin(h({ origin: "null", host: "a.test" }))).toBe(true);
    expect(foreignOrigin(h({ origin: "https://b.test", host: "a.test" }))).toBe(true);
    expect(foreignOrigin({ method: "POST", path: "/api/v1/payments", headers: { origin: "https://b.test", host: "a.test" } } as never)).toBe(false);
    expect(foreignOrigin({ method: "GET", path: "/x", headers: { origin: "https://b.test", host: "a.test" } } as never)).toBe(false);
  });

  it("allows the dev server's websocket only in development", () => {
    expect(contentSecurityPolicy("n", { development: true })).toContain("connect-src 'self' ws: wss:");
    expect(contentSecurityPolicy("n")).toContain("connect-src 'self';");
  });
});

describe("request helpers", () => {
  it("follows only local redirects", () => {
    expect(safeRedirect("/payments?x=1")).toBe("/payments?x=1");
    expect(safeRedirect("//evil.example/")).toBe("/");
    expect(safeRedirect("/\\evil.example")).toBe("/");
    expect(safeRedirect("https://evil.example")).toBe("/");
    expect(safeRedirect(null, "/home")).toBe("/home");
    // What the WHATWG parser (browsers) would turn into another origin.
    for (const evil of ["/\t/evil.example", "/\n/evil.example", "/.//evil.example", "/a/../..//evil.example", "/\u0000/x", "javascript:alert(1)", " /x"]) {
      expect(safeRedirect(evil), JSON.stringify(evil)).toBe("/");
    }
    expect(safeRedirect("/ok path?q=a b")).toBe("/ok%20path?q=a%20b");
  });

  it("reads the client address", () => {
    expect(clientIp(new Request("http://x/", { headers: { "x-forwarded-for": "203.0.113.5, 10.0.0.1" } }))).toBe("203.0.113.5");
    expect(clientIp(new Request("http://x/", { headers: { "x-mc-client-ip": "198.51.100.2", "x-forwarded-for": "1.1.1.1" } }))).toBe("198.51.100.2");
  });

  it("names devices", () => {
    expect(describeDevice("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")).toBe("Chrome on macOS");
    expect(describeDevice("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")).toBe("Safari on iOS");
    expect(describeDevice("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0")).toBe("Firefox on Windows");
    expect(describeDevice(null)).toBe("Unknown device");
  });
});

describe("passwords and codes", () => {
  it("wants at least 12 characters", () => {
    expect(passwordProblem("short-pass!")).toMatch(/at least 12/);
    expect(passwordProblem("            ")).toMatch(/only spaces/);
    expect(passwordProblem("twelve chars")).toBeNull();
  });

  it("accepts the current code and its neighbours only, also typed with Persian digits", () => {
    const secret = newTotpSecret();
    const now = new Date("2030-05-05T10:00:10Z");
    const step = currentStep(now);
    expect(matchStep(secret, totpCodeAt(secret, now), now)).toBe(step);
    expect(matchStep(secret, totpCodeAt(secret, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(matchStep(secret, totpCodeAt(secret, new Date(now.getTime() - 90_000)), now)).toBeNull();
    const persian = totpCodeAt(secret, now).replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
    expect(matchStep(secret, persian, now)).toBe(step);
    expect(matchStep(secret, "12345", now)).toBeNull();
  });

  it("sends each role to a page it may open", () => {
    expect(homePath("owner")).toBe("/");
    expect(homePath("support")).toBe("/payments");
    expect(homePath("viewer")).toBe("/");
  });
});
