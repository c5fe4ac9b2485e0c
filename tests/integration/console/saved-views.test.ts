/**
 * Saved views through the /views page's action and the lists' loaders, as members of the
 * demo merchants: a view keeps a list's filters and columns (not its page), is private
 * unless shared by a role with views:share (refusals and changes audited), is renamed only
 * by the member who saved it, and is found by the global search only by those who may
 * open its list, in its own merchant.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { rows } from "../../../db/client.server";
import { action as viewsAction, loader as viewsLoader } from "../../../app/routes/_app.views";
import { loader as paymentsLoader } from "../../../app/routes/_app.payments._index";
import { globalSearch, type SearchAccess } from "../../../app/modules/search/search.server";
import { createPaymentLink } from "../../../app/modules/payment-links/links.server";
import { as, signIn, type SignedIn } from "../../support/auth";
import { demoSeededAt, useTestDatabase } from "../../support/db";
import { coffee, northwind } from "../../support/demo";

const t = useTestDatabase({ seed: "demo" });

async function post(user: SignedIn, form: Record<string, string>) {
  try {
    return await viewsAction({ request: as(user, "/views", { form }), params: {}, context: {} });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

async function load<T>(loader: (a: LoaderFunctionArgs) => Promise<Response>, user: SignedIn, path: string): Promise<T> {
  const res = await loader({ request: as(user, path), params: {}, context: {} });
  return (await res.json()) as T;
}

type ViewsData = { views: { id: string; name: string; list: string; shared: boolean; href: string; canRename: boolean; canDelete: boolean; canShare: boolean }[] };

async function auditOf(action: string) {
  return rows<{ outcome: string; actor_email: string; target_id: string | null; details: Record<string, unknown> }>(
    t.db,
    sql`select outcome::text as outcome, actor_email, target_id, details from audit_events where merchant_id = ${coffee.merchantId} and action = ${action} order by id`,
  );
}

describe("saved views", () => {
  it("saves a list's filters and columns without its page, shares them with the team, and keeps others' private views private", async () => {
    const accountant = await signIn("accountant@coffee.test");
    const support = await signIn("support@coffee.test");
    const viewer = await signIn("viewer@coffee.test");

    const saved = await post(accountant, { intent: "save", list: "payments", name: "  Big   captured ", query: "?status=captured&min=1000&cursor=abc&q=&cols=amount,status", shared: "1" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/payments?status=captured&min=1000&cols=amount%2Cstatus");
    const [share] = await auditOf("view.share");
    expect(share).toMatchObject({ outcome: "success", actor_email: "accountant@coffee.test", details: { list: "payments", name: "Big captured" } });

    // Support may not share: refused with the reason, audited; saving it for themselves works.
    const refused = await post(support, { intent: "save", list: "payments", name: "Mine", query: "status=declined", shared: "1" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      ok: false,
      intent: "save",
      errors: { shared: "Your role cannot share views with the team. Save it for yourself, or ask an owner or administrator." },
      values: { intent: "save", list: "payments", name: "Mine", query: "status=declined", shared: "1" },
    });
    expect((await auditOf("view.share")).find((a) => a.outcome === "denied")?.actor_email).toBe("support@coffee.test");
    expect((await post(support, { intent: "save", list: "payments", name: "Mine", query: "status=declined" })).status).toBe(303);

    // The payments list's Views menu: the viewer sees the shared view, not support's private one.
    const asViewer = await load<{ views: { views: { name: string; shared: boolean; href: string }[]; canShare: boolean } }>(paymentsLoader, viewer, "/payments");
    expect(asViewer.views.views.map((v) => v.name)).toEqual(["Big captured"]);
    expect(asViewer.views.canShare).toBe(false);
    const asSupport = await load<{ views: { views: { name: string }[] } }>(paymentsLoader, support, "/payments");
    expect(asSupport.views.views.map((v) => v.name)).toEqual(["Mine", "Big captured"]);

    // Only its author renames it; support may neither rename, unshare nor delete the team's view.
    const list = await load<ViewsData>(viewsLoader, support, "/views");
    const big = list.views.find((v) => v.name === "Big captured")!;
    expect(big).toMatchObject({ canRename: false, canDelete: false, canShare: false });
    const rename = await post(support, { intent: "rename", id: big.id, name: "Hijacked" });
    expect(rename.status).toBe(403);
    expect(await rename.json()).toEqual({
      ok: false,
      intent: "rename",
      errors: { view: "Only the person who saved that view can change it." },
      values: { intent: "rename", id: big.id, name: "Hijacked" },
    });
    expect((await post(support, { intent: "delete", id: big.id, confirmed: "1" })).status).toBe(403);
    expect((await post(support, { intent: "unshare", id: big.id })).status).toBe(403);
  });

  it("renames, refuses a taken or empty name, unshares and deletes, auditing what the team sees", async () => {
    const accountant = await signIn("accountant@coffee.test");
    const owner = await signIn("owner@coffee.test");
    expect((await post(accountant, { intent: "save", list: "refunds", name: "Fraud", query: "reason=fraudulent" })).status).toBe(303);
    expect((await post(accountant, { intent: "save", list: "refunds", name: "Duplicates", query: "reason=duplicate", shared: "1" })).status).toBe(303);
    const mine = (await load<ViewsData>(viewsLoader, accountant, "/views?list=refunds")).views;
    const dup = mine.find((v) => v.name === "Duplicates")!;
    const fraud = mine.find((v) => v.name === "Fraud")!;

    const taken = await post(accountant, { intent: "rename", id: fraud.id, name: "duplicates" });
    expect(taken.status).toBe(409);
    expect((await taken.json()).errors).toEqual({ name: "You already have a view with that name on this list. Choose another name." });
    const empty = await post(accountant, { intent: "rename", id: fraud.id, name: "   " });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ ok: false, intent: "rename", errors: { name: "Give the view a name." }, values: { intent: "rename", id: fraud.id, name: "   " } });
    // Longer than the form reads at all, or too long for a name: the same field's sentence, in the reader's language.
    const fa = await signIn("fa@coffee.test");
    for (const name of ["x".repeat(61), "x".repeat(1001)]) {
      const long = await post(fa, { intent: "save", list: "payments", name, query: "" });
      expect(long.status, String(name.length)).toBe(400);
      expect((await long.json()).errors).toEqual({ name: "نامی با حداکثر ۶۰ نویسه بنویسید." });
    }
    const unknown = await post(accountant, { intent: "explode", id: fraud.id });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors).toEqual({ form: "Check the form and try again." });

    const renamed = await post(accountant, { intent: "rename", id: dup.id, name: "Double charges" });
    expect(renamed.status).toBe(303);
    expect(renamed.headers.get("location")).toBe("/views?done=renamed&name=Double+charges");
    expect((await auditOf("view.rename")).at(-1)).toMatchObject({ target_id: dup.id, details: { from: "Duplicates", to: "Double charges" } });

    // The owner (views:share) may take a shared view off the team's menus and delete it, but not rename it.
    const ownersView = (await load<ViewsData>(viewsLoader, owner, "/views")).views.find((v) => v.id === dup.id)!;
    expect(ownersView).toMatchObject({ canRename: false, canShare: true, canDelete: true });
    expect((await post(owner, { intent: "unshare", id: dup.id })).status).toBe(303);
    expect((await auditOf("view.unshare")).at(-1)).toMatchObject({ actor_email: "owner@coffee.test", target_id: dup.id });
    // Unshared, it is the accountant's alone again: the owner no longer sees it at all.
    expect((await load<ViewsData>(viewsLoader, owner, "/views")).views.some((v) => v.id === dup.id)).toBe(false);
    expect((await post(owner, { intent: "delete", id: dup.id, confirmed: "1" })).status).toBe(404);
    expect((await post(accountant, { intent: "delete", id: dup.id, confirmed: "1" })).status).toBe(303);
    expect((await load<ViewsData>(viewsLoader, accountant, "/views")).views.some((v) => v.id === dup.id)).toBe(false);
    // A list that is not one of the console's is refused by name.
    const bad = await post(accountant, { intent: "save", list: "staff", name: "x", query: "" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual({ list: "Choose a list you may open." });
  });

  it("asks before deleting, saying whom a shared view's deletion affects, and deletes only from the confirmation", async () => {
    const accountant = await signIn("accountant@coffee.test");
    const owner = await signIn("owner@coffee.test");
    expect((await post(accountant, { intent: "save", list: "refunds", name: "Team fraud", query: "reason=fraudulent", shared: "1" })).status).toBe(303);
    expect((await post(accountant, { intent: "save", list: "refunds", name: "My fraud", query: "reason=fraudulent" })).status).toBe(303);
    const views = (await load<ViewsData>(viewsLoader, accountant, "/views?list=refunds")).views;
    const team = views.find((v) => v.name === "Team fraud")!;
    const mine = views.find((v) => v.name === "My fraud")!;

    // A Delete without the confirmation's own button opens the confirmation; nothing is deleted.
    const asked = await post(owner, { intent: "delete", id: team.id, only: "refunds" });
    expect(asked.status).toBe(303);
    expect(asked.headers.get("location")).toBe(`/views?confirm=${team.id}&list=refunds`);
    type Confirm = { confirm: { id: string; name: string; list: string; shared: boolean; mine: boolean; ownerName: string | null; others: number } | { missing: true } | null };
    // Shared: everyone else at Coffee who may open Refunds (admin, support, accountant, viewer, the Persian admin, the bookkeeper) loses it.
    expect((await load<Confirm>(viewsLoader, owner, `/views?confirm=${team.id}`)).confirm).toEqual({
      id: team.id,
      name: "Team fraud",
      list: "refunds",
      shared: true,
      mine: false,
      ownerName: "Kaveh Accountant",
      others: 6,
    });
    // Private: nobody else is affected. Someone else's private view cannot even be asked about.
    expect((await load<Confirm>(viewsLoader, accountant, `/views?confirm=${mine.id}`)).confirm).toMatchObject({ shared: false, mine: true, others: 0 });
    expect((await load<Confirm>(viewsLoader, owner, `/views?confirm=${mine.id}`)).confirm).toEqual({ missing: true });
    expect((await load<ViewsData>(viewsLoader, accountant, "/views")).views.map((v) => v.name)).toEqual(expect.arrayContaining(["Team fraud", "My fraud"]));

    const deleted = await post(owner, { intent: "delete", id: team.id, confirmed: "1" });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/views?done=deleted&name=Team+fraud");
    expect((await auditOf("view.delete")).at(-1)).toMatchObject({ actor_email: "owner@coffee.test", target_id: team.id });
    expect((await load<ViewsData>(viewsLoader, accountant, "/views")).views.some((v) => v.id === team.id)).toBe(false);
  });

  it("is found by the global search by name, only by roles that may open its list and only in its merchant", async () => {
    const accountant = await signIn("accountant@coffee.test");
    expect((await post(accountant, { intent: "save", list: "payouts", name: "Failed payouts", query: "status=failed", shared: "1" })).status).toBe(303);
    const access = (role: "viewer" | "support", userId: string): SearchAccess => ({
      payments: true,
      cards: false,
      payouts: role === "viewer",
      terminals: false,
      staff: false,
      links: false,
      customers: false,
      views: { kind: "member", member: { user: { id: userId }, role, merchant: { supportRefundLimit: 0n } } },
    });
    const viewer = await globalSearch(coffee, "failed pay", access("viewer", "usr_coffee_viewer"));
    const hit = viewer.groups.find((g) => g.kind === "views")!.hits[0]!;
    expect(hit).toMatchObject({ title: "Failed payouts", href: "/payouts?status=failed", detail: "payouts" });
    // Support cannot open payouts: the view is not offered.
    const support = await globalSearch(coffee, "failed pay", access("support", "usr_coffee_support"));
    expect(support.groups.find((g) => g.kind === "views")).toBeUndefined();
    // Another merchant's owner never sees it.
    const nw = await globalSearch(northwind, "failed pay", { ...access("viewer", "usr_northwind_owner"), views: { kind: "member", member: { user: { id: "usr_northwind_owner" }, role: "owner", merchant: { supportRefundLimit: 0n } } } });
    expect(nw.groups.find((g) => g.kind === "views")).toBeUndefined();
  });
});

describe("global search finds payment links", () => {
  it("by description, by any amount a link accepts, and only with links:manage", async () => {
    const now = demoSeededAt();
    const make = (description: string, amount: bigint | null, min: bigint | null, max: bigint | null) =>
      createPaymentLink(coffee, { kind: "terminal", terminalId: "term_coffee_web" }, { amount, minAmount: min, maxAmount: max, description, customerFields: [], reusable: false, expiresAt: null, redirectUrl: null }, now);
    const fixed = await make("Roasting workshop ticket", 12_340_000n, null, null);
    const range = await make("Donation to the tree fund", null, 5_000_000n, 50_000_000n);
    expect(fixed.ok && range.ok).toBe(true);
    if (!fixed.ok || !range.ok) return;
    const all: SearchAccess = { payments: false, cards: false, payouts: false, terminals: false, staff: false, links: true, customers: false, views: null };
    const byText = await globalSearch(coffee, "workshop", all, now);
    expect(byText.groups.find((g) => g.kind === "links")!.hits[0]).toMatchObject({ id: fixed.link.id, href: `/links/${fixed.link.id}`, amount: "12340000", status: "active", title: "Roasting workshop ticket", detail: "0" });
    // 2,000,000 toman = 20,000,000 rial: inside the donation link's range.
    const byAmount = await globalSearch(coffee, "۲ میلیون تومان", all, now);
    expect(byAmount.groups.find((g) => g.kind === "links")!.hits.map((h) => h.id)).toContain(range.link.id);
    // By its id as printed under the QR code (mixed case).
    expect((await globalSearch(coffee, fixed.link.id, all, now)).groups.find((g) => g.kind === "links")!.hits.map((h) => h.id)).toEqual([fixed.link.id]);
    expect((await globalSearch(coffee, "workshop", { ...all, links: false }, now)).groups).toEqual([]);
    expect((await globalSearch(northwind, "workshop", all, now)).groups).toEqual([]);
  });
});
