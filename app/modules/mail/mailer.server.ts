import { outboundEmails } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";

export interface OutgoingMail {
  to: string;
  subject: string;
  body: string;
}

/**
 * The one way the app sends mail. There is no SMTP transport yet: every message is
 * recorded in outbound_emails (so it can be inspected and tested) and, outside
 * production and tests, printed to the console for the developer to click.
 */
export async function sendMail(dbx: DbOrTx, mail: OutgoingMail): Promise<{ id: string }> {
  const id = newId("mail");
  await dbx.insert(outboundEmails).values({ id, to: mail.to, subject: mail.subject, body: mail.body });
  if (process.env.NODE_ENV !== "production" && !process.env.VITEST) {
    console.log(`\n[mail] to: ${mail.to}\n[mail] subject: ${mail.subject}\n${mail.body}\n`);
  }
  return { id };
}
