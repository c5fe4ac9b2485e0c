import { describe, expect, it } from "vitest";
import { apiUnavailable, isDatabaseUnavailable, unavailableResponse } from "~/web/edge/unavailable.server";

describe("database unavailable", () => {
  it("recognises lost connections through drizzle's wrapping, and nothing else", () => {
    const driver = Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });
    expect(isDatabaseUnavailable(new Error("Failed query: select 1", { cause: driver }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("the database system is starting up"), { code: "57P03" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
  });

  it("answers the API with its envelope and Retry-After", async () => {
    const r = apiUnavailable();
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("2");
    expect((await r.json()).error).toMatchObject({ type: "api_error", code: "database_unavailable" });
  });

  it("answers a console page in the reader's language", async () => {
    const fa = unavailableResponse(new Request("http://x/payments", { headers: { cookie: "mc_lang=fa" } }));
    expect(fa.status).toBe(503);
    const html = await fa.text();
    expect(html).toContain('dir="rtl"');
    expect(html).toContain("چیزی از دست نرفته است");
    const en = await unavailableResponse(new Request("http://x/payments")).text();
    expect(en).toContain("The console is briefly unavailable");
    expect(en).toContain("Nothing was lost");
    const data = unavailableResponse(new Request("http://x/payments?_data=routes%2F_app"));
    expect(data.headers.get("x-remix-catch")).toBe("yes");
  });
});
