/**
 * The texts of notification e-mails, in the recipient's language (English, Persian).
 */
import type { OutgoingMail } from "~/modules/mail/mailer.server";

type Locale = "en" | "fa";

export function webhookDisabledMail(locale: Locale, v: { to: string; url: string; days: number }): OutgoingMail {
  if (locale === "fa") {
    return {
      to: v.to,
      subject: "نقطهٔ وب‌هوک غیرفعال شد",
      body: `همهٔ ارسال‌ها به نشانی ${v.url} در ${v.days} روز گذشته ناموفق بود، بنابراین این نقطهٔ وب‌هوک غیرفعال شد.\n\nچه باید کرد: سرور گیرنده را بررسی کنید (باید ظرف ۱۰ ثانیه پاسخ 2xx بدهد)، سپس در پنل، بخش وب‌هوک‌ها، آن را دوباره فعال کنید و با «ارسال دوباره از» رویدادهای ازدست‌رفته را بفرستید.`,
    };
  }
  return {
    to: v.to,
    subject: "Webhook endpoint disabled",
    body: `Every delivery to ${v.url} failed for ${v.days} days, so the endpoint was disabled.\n\nWhat to do: check the receiving server (it must answer 2xx within 10 seconds), then enable the endpoint again under Webhooks in the console and use "Replay since" to send the events it missed.`,
  };
}
