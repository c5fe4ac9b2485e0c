/**
 * The mails of scheduled reports, in the recipient's language (English, Persian): the
 * report (attached, or a link for a large file) and the owner's notice of a failed run.
 */
import { jalaliMonthNames } from "~/lib/dates/jalali";
import { toPersianDigits } from "~/lib/digits";
import type { SchedulePeriod } from "~/lib/report-schedule";

type Locale = "en" | "fa";

const GREGORIAN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "Aban 1405", "November 2026", "2026-12-05", "2026-11-29 to 2026-12-05", in the reader's words and digits. */
export function periodLabel(period: Pick<SchedulePeriod, "key" | "start">, locale: Locale): string {
  const fa = locale === "fa";
  const digits = (s: string) => (fa ? toPersianDigits(s) : s);
  const jalali = /^j(\d{4})-(\d{2})$/.exec(period.key);
  if (jalali) return digits(`${jalaliMonthNames[fa ? "fa" : "en"][Number(jalali[2]) - 1]} ${jalali[1]}`);
  const month = /^(\d{4})-(\d{2})$/.exec(period.key);
  if (month) {
    if (fa) return digits(`${new Intl.DateTimeFormat("fa-IR-u-ca-gregory", { month: "long", timeZone: "UTC" }).format(new Date(`${period.key}-15T00:00:00Z`))} ${month[1]}`);
    return `${GREGORIAN_MONTHS[Number(month[2]) - 1]} ${month[1]}`;
  }
  const week = /^(.+)\.\.(.+)$/.exec(period.key);
  if (week) return fa ? digits(`${week[1]} تا ${week[2]}`) : `${week[1]} to ${week[2]}`;
  return digits(period.key);
}

function size(bytes: number, locale: Locale): string {
  const mb = bytes / (1024 * 1024);
  const text = mb >= 1 ? `${mb.toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return locale === "fa" ? toPersianDigits(text) : text;
}

export function reportMail(
  locale: Locale,
  v: {
    to: string;
    schedule: string;
    report: string;
    merchant: string;
    period: SchedulePeriod;
    rows: number;
    bytes: number;
    fileName: string;
    link: string | null;
    linkExpiresAt: Date | null;
    manage: string;
  },
): { to: string; subject: string; body: string } {
  const period = periodLabel(v.period, locale);
  if (locale === "fa") {
    const rows = toPersianDigits(v.rows.toLocaleString("en-US"));
    const file = v.link
      ? `این فایل (${size(v.bytes, locale)}) از ۱۰ مگابایت بزرگ‌تر است، پس پیوست نشد. پیوند دریافت (تا ۷ روز، پس از ورود به پنل):\n${v.link}`
      : `فایل پیوست است: ${v.fileName} (${size(v.bytes, locale)}).`;
    return {
      to: v.to,
      subject: `${v.schedule}: ${period}`,
      body: `گزارش زمان‌بندی‌شدهٔ «${v.schedule}» (${v.report}) برای ${v.merchant}، دورهٔ ${period}: ${rows} ردیف.\n\n${file}\n\nاین نامه را می‌گیرید چون عضو تیم هستید و در فهرست گیرندگان این زمان‌بندی آمده‌اید. مدیریت زمان‌بندی:\n${v.manage}`,
    };
  }
  const file = v.link
    ? `The file (${size(v.bytes, locale)}) is larger than 10 MB, so it is not attached. Download it here (signed in to the console; the link works for 7 days, until ${v.linkExpiresAt!.toISOString().slice(0, 16).replace("T", " ")} UTC):\n${v.link}`
    : `The file is attached: ${v.fileName} (${size(v.bytes, locale)}).`;
  return {
    to: v.to,
    subject: `${v.schedule}: ${period}`,
    body: `Your scheduled report "${v.schedule}" (${v.report}) for ${v.merchant}, ${period}: ${v.rows.toLocaleString("en-US")} rows.\n\n${file}\n\nYou receive this as a member of the team listed on this schedule. Manage the schedule:\n${v.manage}`,
  };
}

export function failedRunMail(locale: Locale, v: { to: string; schedule: string; period: string; failure: string; manage: string }): { to: string; subject: string; body: string } {
  const period = periodLabel({ key: v.period, start: "" }, locale);
  if (locale === "fa") {
    return {
      to: v.to,
      subject: `گزارش زمان‌بندی‌شده فرستاده نشد: ${v.schedule}`,
      body: `گزارش «${v.schedule}» برای دورهٔ ${period} فرستاده نشد.\n\nعلت: ${v.failure}\n\nچه باید کرد: زمان‌بندی را باز کنید، گیرندگان و دسترسی‌ها را بررسی کنید (گیرندگان باید اجازهٔ «دریافت گزارش‌ها» را داشته باشند):\n${v.manage}`,
    };
  }
  return {
    to: v.to,
    subject: `Scheduled report not sent: ${v.schedule}`,
    body: `Your scheduled report "${v.schedule}" for ${period} was not sent.\n\nWhy: ${v.failure}\n\nWhat to do: open the schedule and check its recipients and permissions (members need the "Export reports" permission):\n${v.manage}`,
  };
}

/** To a member left out of a schedule's run: they no longer receive it, and why. */
export function leftOutMail(locale: Locale, v: { to: string; schedule: string; reason: string }): { to: string; subject: string; body: string } {
  if (locale === "fa") {
    return {
      to: v.to,
      subject: `دیگر این گزارش را دریافت نمی‌کنید: ${v.schedule}`,
      body: `گزارش زمان‌بندی‌شدهٔ «${v.schedule}» دیگر برای شما فرستاده نمی‌شود.\n\nعلت: ${v.reason}\n\nاگر باید آن را دریافت کنید، از مدیر تیم بخواهید اجازهٔ «دریافت گزارش‌ها» را به نقش شما بدهد؛ از اجرای بعدی دوباره برایتان فرستاده می‌شود.`,
    };
  }
  return {
    to: v.to,
    subject: `You no longer receive: ${v.schedule}`,
    body: `The scheduled report "${v.schedule}" is no longer sent to you.\n\nWhy: ${v.reason}\n\nIf you should receive it, ask whoever manages your team to give your role the "Export reports" permission; it is sent to you again from the next run after that.`,
  };
}
