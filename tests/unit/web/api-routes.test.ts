import fs from "node:fs";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { apiRouteTable, matchApiRoute } from "../../../app/server/api-routes";

/**
 * /api/v1/* is answered straight from Express (app/server/api-routes.ts). What an API
 * client notices: the same route module answers as under Remix, and any URL the table is
 * not sure of goes on to Remix (which answers it as before).
 */
const loader = () => new Response("loader");
const action = () => new Response("action");

// The build's manifest for the route files as they are (flat routes: "." is "/", "$x" is ":x", "[.]" a literal dot).
function manifest(): ServerBuild["routes"] {
  const routes: Record<string, unknown> = {
    root: { id: "root", path: "", module: { default: () => null } },
    "routes/_app._index": { id: "routes/_app._index", parentId: "routes/_app", index: true, module: { default: () => null, loader } },
  };
  for (const file of fs.readdirSync(path.resolve("app/routes"))) {
    if (!file.startsWith("api.v1.")) continue;
    const name = file.replace(/\.tsx?$/, "");
    const p = name
      .replace(/\[\.\]/g, "\u0000")
      .split(".")
      .map((s) => (s === "$" ? "*" : s.startsWith("$") ? `:${s.slice(1)}` : s))
      .join("/")
      .replace(/\u0000/g, ".");
    routes[`routes/${name}`] = { id: `routes/${name}`, parentId: "root", path: p, module: { loader, action } };
  }
  return routes as ServerBuild["routes"];
}

describe("the API's routes without Remix", () => {
  const table = apiRouteTable(manifest());

  it("takes every API route file but the catch-all, and no page", () => {
    const ids = table.map((r) => r.id);
    expect(ids).toContain("routes/api.v1.payments");
    expect(ids).toContain("routes/api.v1.payments.$paymentId.refunds");
    expect(ids).toContain("routes/api.v1.openapi[.]json");
    expect(ids).not.toContain("routes/api.v1.$");
    expect(ids).not.toContain("routes/_app._index");
  });

  it("finds the route module, its loader or action, and the parameters", () => {
    const pay = matchApiRoute(table, "POST", "/api/v1/payments");
    expect(pay?.route.id).toBe("routes/api.v1.payments");
    expect(pay?.fn).toBe(action);
    expect(matchApiRoute(table, "GET", "/api/v1/payments?limit=2&status=captured")?.fn).toBe(loader);
    expect(matchApiRoute(table, "HEAD", "/api/v1/payments")?.fn).toBe(loader);
    const refund = matchApiRoute(table, "POST", "/api/v1/payments/pay_123/refunds");
    expect(refund?.route.id).toBe("routes/api.v1.payments.$paymentId.refunds");
    expect(refund?.params).toEqual({ paymentId: "pay_123" });
    expect(matchApiRoute(table, "GET", "/api/v1/openapi.json")?.route.id).toBe("routes/api.v1.openapi[.]json");
  });

  it("leaves to Remix what it is not sure of: encoded or odd paths, ?_data and ?index, unknown paths, OPTIONS", () => {
    for (const url of [
      "/api/v1/payments/",
      "/api/v1//payments",
      "/api/v1/payments/pay%5F1",
      "/api/v1/payments?_data=routes%2Fapi.v1.payments",
      "/api/v1/payments?index",
      "/api/v1/nothing/here",
      "/API/v1/payments",
      "/payments",
    ]) {
      expect(matchApiRoute(table, "GET", url), url).toBeNull();
    }
    expect(matchApiRoute(table, "OPTIONS", "/api/v1/payments")).toBeNull();
  });

  it("leaves a method the module has no function for, and a URL two routes match, to Remix", () => {
    const routes = {
      a: { id: "a", parentId: "root", path: "api/v1/things/:id", module: { loader } },
      b: { id: "b", parentId: "root", path: "api/v1/things/special", module: { loader } },
    } as unknown as ServerBuild["routes"];
    const t = apiRouteTable(routes);
    expect(matchApiRoute(t, "POST", "/api/v1/things/x")).toBeNull();
    expect(matchApiRoute(t, "GET", "/api/v1/things/x")?.route.id).toBe("a");
    expect(matchApiRoute(t, "GET", "/api/v1/things/special")).toBeNull();
  });
});
