import { and, eq } from "drizzle-orm";
import { noticeRealServerOnly, useTestDatabase } from "../../support/db";
import { createMerchant, createUser } from "../../support/fixtures";
import { as, signIn } from "../../support/auth";
import { memberships, users } from "../../../db/schema";
import { requireContext } from "../../../app/web/guard.server";
import { changeRole, StaffError } from "../../../app/modules/staff/staff.server";
import { consumeTotp, newTotpSecret, totpCodeAt } from "../../../app/modules/auth/totp.server";
import { clientOf } from "../../../app/web/request.server";

// PGlite has one connection, so nothing ever runs concurrently there: these need a server.
const t = useTestDatabase({ seed: "none" });

describe.skipIf(!t.realServer)("concurrency (real PostgreSQL)", () => {
  it("two owners demoting each other at once: exactly one wins, an owner remains", async () => {
    for (let round = 0; round < 5; round++) {
      const shop = await createMerchant({ name: `Race ${round}` });
      const a = await createUser({ email: `a${round}@race.test`, memberships: [{ merchantId: shop.id, role: "owner" }] });
      const b = await createUser({ email: `b${round}@race.test`, memberships: [{ merchantId: shop.id, role: "owner" }] });
      const ctxA = await requireContext(as(await signIn(a.email), "/staff"));
      const ctxB = await requireContext(as(await signIn(b.email), "/staff"));
      const req = clientOf(new Request("http://localhost/staff", { method: "POST" }));
      const results = await Promise.allSettled([
        changeRole(ctxA.scope, ctxA, { userId: b.id, role: "admin" }, req),
        changeRole(ctxB.scope, ctxB, { userId: a.id, role: "admin" }, req),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) => r.status === "rejected");
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaffError);
      const owners = await t.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.merchantId, shop.id), eq(memberships.role, "owner")));
      expect(owners).toHaveLength(1);
    }
  });

  it("the same TOTP code sent twice at once is accepted once", async () => {
    const secret = newTotpSecret();
    const u = await createUser({ email: "totp@race.test" });
    await t.db.update(users).set({ totpSecret: secret, totpEnabledAt: new Date() }).where(eq(users.id, u.id));
    const now = new Date();
    const code = totpCodeAt(secret, now);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => consumeTotp(t.db, { id: u.id, totpSecret: secret }, code, now)),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "reused")).toHaveLength(7);
  });
});

noticeRealServerOnly(t.realServer, "concurrency");
