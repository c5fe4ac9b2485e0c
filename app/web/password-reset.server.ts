/**
 * Password reset over HTTP: the edge reads where the request came from and hands the domain
 * (app/modules/auth/password-reset.server.ts) the process database.
 */
import { db } from "~db/client.server";
import type { Locale } from "~/lib/i18n/locales";
import { requestPasswordReset, resetPassword, resetTokenState } from "~/modules/auth/password-reset.server";
import { clientOf } from "~/web/request.server";

export const resetFlow = {
  request: (request: Request, input: { email: string; locale: Locale }) => requestPasswordReset(db(), clientOf(request), input),
  state: (token: string) => resetTokenState(db(), token),
  reset: (request: Request, input: { token: string; password: string; confirm: string }) => resetPassword(db(), clientOf(request), input),
};
