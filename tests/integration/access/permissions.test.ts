import path from "node:path";
import { sql } from "drizzle-orm";
import { UNSAFE_flatRoutes as flatRoutes } from "@remix-run/dev";
import { useTestDatabase } from "../../support/db";
import { as, request, signIn, type SignedIn } from "../../support/auth";
import { rows } from "../../../db/client.server";
import { can, homePath, ROLES, type Permission, type Role } from "../../../app/lib/permissions";
import { ROUTE_ACCESS } from "./route-access";

/**
 * Every loader and action of every route, called as every role of Demo Coffee and as
 * a member of Northwind, must allow or refuse exactly as the permission matrix says.
 * The route list comes from the Remix route manifest itself.
 */
const t = useTestDatabase({ seed: "demo" });

const appDir = path.resolve(__dirname, "../../../app");
const manifest = flatRoutes(appDir, ["**/.*", "**/*.test.*"]);
const routes = Object.values(manifest).filter((r) => r.id !== "root");

type RouteModule = {
  loader?: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown> | unknown;
  action?: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown> | unknown;
};

const COFFEE = "mer_demo_coffee";
const COFFEE_ROLES: Record<Role, string> = {
  owner: "owner@coffee.test",
  admin: "admin@coffee.test",
  support: "support@coffee.test",
  accountant: "accountant@coffee.test",
  viewer: "viewer@coffee.test",
};

function fullPath(id: string): string {
  const parts: string[] = [];
  for (let r = manifest[id]; r; r = r.parentId ? manifest[r.parentId] : undefined) {
    if (r.path) parts.unshift(r.path);
  }
  return "/" + parts.join("/");
}

/** Real ids of Demo Coffee's objects, so a Northwind member guesses ids that exist. */
async function coffeeIds(): Promise<Record<string, string>> {
  const one = async (q: ReturnType<typeof sql>) => ((await rows<{ id: string }>(t.db, q))[0]?.id ?? "does_not_exist");
  return {
    paymentId: await one(sql`select id from payments where merchant_id = ${COFFEE} order by created_at desc limit 1`),
    refundId: await one(sql`select id from refunds where merchant_id = ${COFFEE} limit 1`),
    payoutId: await one(sql`select id from payouts where merchant_id = ${COFFEE} limit 1`),
    terminalId: "term_coffee_web",
    userId: "usr_coffee_support",
    merchantId: COFFEE,
    token: "x".repeat(43),
    "*": "payments",
  };
}

function fill(pathPattern: string, ids: Record<string, string>): { url: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const url = pathPattern
    .split("/")
    .map((seg) => {
      if (seg === "*") return (params["*"] = ids["*"] ?? "x");
      if (seg.startsWith(":")) {
        const name = seg.slice(1).replace(/\?$/, "");
        return (params[name] = ids[name] ?? "does_not_exist");
      }
      return seg.replace(/\[(.)\]/g, "$1");
    })
    .join("/");
  return { url: url.replace(/\/+/g, "/"), params };
}

type Outcome = { status: number; location: string | null; body: string };

async function outcome(run: () => unknown): Promise<Outcome> {
  let value: unknown;
  try {
    value = await run();
  } catch (e) {
    if (!(e instanceof Response)) throw e;
    value = e;
  }
  if (value instanceof Response) {
    return { status: value.status, location: value.headers.get("location"), body: value.body ? await value.text() : "" };
  }
  // Plain data (or a deferred object) is a 200.
  return { status: 200, location: null, body: JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "" };
}

const toLogin = (o: Outcome) => o.status === 302 && (o.location ?? "").startsWith("/login");
const refused = (o: Outcome) => o.status === 403;

let ids: Record<string, string>;
const sessionsByRole = {} as Record<Role, SignedIn>;
/** Every refusal (403) the matrix saw, as "role METHOD /path": each must be in the audit trail. */
const refusals = new Set<string>();
let northwind: SignedIn;

beforeAll(async () => {
  ids = await coffeeIds();
  for (const role of ROLES) sessionsByRole[role] = await signIn(COFFEE_ROLES[role]);
  northwind = await signIn("owner@northwind.test");
});

describe("route manifest", () => {
  it("every route says who may use it", () => {
    const missing = routes.map((r) => r.id).filter((id) => !ROUTE_ACCESS[id]);
    expect(missing, `add these routes to tests/integration/access/route-access.ts`).toEqual([]);
  });
});

describe.each(routes.map((r) => [r.id, r] as const))("%s", (id, route) => {
  const access = ROUTE_ACCESS[id];
  let mod: RouteModule;
  beforeAll(async () => {
    mod = (await import(/* @vite-ignore */ path.join(appDir, route.file))) as RouteModule;
  });

  it("allows or refuses each role exactly as the matrix says, and never answers 500", async () => {
    if (!access) return; // reported by the manifest test
    const { url, params } = fill(fullPath(id), ids);
    const call = (fn: "loader" | "action", req: Request) => outcome(() => mod[fn]!({ request: req, params, context: {} }));

    for (const fn of ["loader", "action"] as const) {
      if (!mod[fn]) continue;
      const method = fn === "loader" ? "GET" : "POST";

      if (access.kind === "public") {
        const anon = await call(fn, request(url, { method, form: fn === "action" ? {} : undefined }));
        expect(anon.status, `${fn} ${url} anonymous`).toBeLessThan(500);
        if (fn === "action") {
          const bare = await call(fn, new Request(`http://localhost${url}`, { method: "POST", headers: { origin: "http://localhost" } }));
          expect(bare.status, `bare POST ${url}`).toBeLessThan(500);
        }
        continue;
      }

      if (access.kind === "api") {
        // A console session is not an API key.
        const withCookie = await call(fn, as(sessionsByRole.owner, url, { method, form: fn === "action" ? {} : undefined }));
        expect([401, 403, 404, 405], `${fn} ${url} with a console session`).toContain(withCookie.status);
        expect(withCookie.body).not.toContain('"data"');
        continue;
      }

      const required = access[fn];
      if (required === undefined) continue;
      const anon = await call(fn, request(url, { method, form: fn === "action" ? {} : undefined }));
      expect(toLogin(anon), `${fn} ${url} anonymous -> login, got ${anon.status} ${anon.location}`).toBe(true);

      for (const role of ROLES) {
        const o = await call(fn, as(sessionsByRole[role], url, { method, form: fn === "action" ? {} : undefined }));
        const label = `${fn} ${url} as ${role} of Demo Coffee -> ${o.status} ${o.location ?? ""} ${o.body.slice(0, 120)}`;
        expect(o.status, label).toBeLessThan(500);
        expect(toLogin(o), label).toBe(false);
        const allowed = required === null || can(role, required as Permission);
        if (access.refusal === "home" && fn === "loader") {
          // Turned away to the role's own home page: a redirect that carries no data.
          const sentHome = o.status === 302 && o.location === homePath(role);
          expect(sentHome || refused(o), label).toBe(!allowed);
        } else {
          expect(refused(o), label).toBe(!allowed);
          if (!allowed) expect(o.body, label).toMatch(/does not allow/);
          if (!allowed) refusals.add(`${role} ${method} ${new URL(url, "http://localhost").pathname}`);
        }
      }

      if (fn === "action") {
        // A bare POST (no body, no content type) is refused or rejected, never a 500.
        const bare = new Request(`http://localhost${url}`, {
          method: "POST",
          headers: { origin: "http://localhost", cookie: sessionsByRole.owner.cookie },
        });
        const o = await call(fn, bare);
        expect(o.status, `bare POST ${url} -> ${o.status}`).toBeLessThan(500);
      }

      // Northwind's owner: may use the route on Northwind, never see Demo Coffee's objects.
      const o = await call(fn, as(northwind, url, { method, form: fn === "action" ? {} : undefined }));
      const label = `${fn} ${url} as owner of Northwind -> ${o.status} ${o.body.slice(0, 120)}`;
      expect(o.status, label).toBeLessThan(500);
      const names = Object.keys(params).filter((k) => k !== "*");
      if (names.length > 0 && fn === "loader") expect([400, 403, 404], label).toContain(o.status);
      expect(o.body, label).not.toContain(COFFEE);
      expect(o.body, label).not.toContain("Demo Coffee");
    }
  });
});

describe("the audit trail records refusals", () => {
  it("has an access.denied event for each refusal the matrix saw, and none it did not", async () => {
    const denied = await rows<{ k: string }>(
      t.db,
      sql`select distinct (details->>'role') || ' ' || (details->>'method') || ' ' || (details->>'path') k
          from audit_events where action = 'access.denied' and merchant_id = ${COFFEE}`,
    );
    expect(refusals.size).toBeGreaterThan(20);
    expect(new Set(denied.map((d) => d.k))).toEqual(refusals);
  });
});
