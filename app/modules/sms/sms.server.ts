/**
 * Text messages. One interface (SmsProvider) and the sandbox implementation, which
 * records each message in sandbox_sms_messages instead of sending it (the demo and the
 * tests read them there). A real SMS gateway would be one more implementation.
 */
import { sandboxSmsMessages } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { env } from "~/lib/env.server";

export interface SmsMessage {
  account: string;
  /** Mobile number, digits with an optional leading +. */
  to: string;
  body: string;
}

export interface SmsProvider {
  readonly id: string;
  send(message: SmsMessage, dbx?: DbOrTx): Promise<{ id: string }>;
}

export const sandboxSms: SmsProvider = {
  id: "sandbox",
  async send(message, dbx = db()) {
    const id = newId("sms");
    await dbx.insert(sandboxSmsMessages).values({ id, accountId: message.account, to: message.to, body: message.body.slice(0, 1000) });
    if (env.NODE_ENV !== "production" && !env.VITEST) console.log(`\n[sms] to: ${message.to}\n${message.body}\n`);
    return { id };
  },
};

let provider: SmsProvider = sandboxSms;

export function smsProvider(): SmsProvider {
  return provider;
}

/** Tests (or a deployment) substitute another provider. */
export function registerSmsProvider(p: SmsProvider): void {
  provider = p;
}
