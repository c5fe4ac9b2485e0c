/**
 * The signed-in member as the domain sees them: who (user), for which merchant, in which
 * role with which permissions, on which session. The web edge builds it from the session
 * cookie (app/web/guard.server.ts); domain functions take it (or only its scope) as an
 * argument and never look at the Request it came from.
 */
import type { Permission, Role } from "~/lib/permissions";
import type { MemberMerchant, MemberUser } from "~/lib/shell";
import type { Scope } from "~/lib/vocabulary";

export interface AppContext {
  user: MemberUser;
  merchant: MemberMerchant<bigint>;
  role: Role;
  permissions: Permission[];
  scope: Scope;
  session: { id: string; csrfToken: string; verifiedAt: Date | null };
  memberships: { merchantId: string; merchantName: string; role: Role }[];
}
