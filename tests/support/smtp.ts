/**
 * A local SMTP server for tests (smtp-server), with a small MIME reader for what it receives:
 * headers (encoded words decoded), the text and HTML parts and attachments (base64 or
 * quoted-printable bodies decoded to bytes).
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface MimePart {
  headers: Record<string, string>;
  body: Buffer;
  parts: MimePart[];
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  headers: Record<string, string>;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

function decodeWords(v: string): string {
  return v.replace(/\?=\s+=\?/g, "?==?").replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs, enc: string, text: string) =>
    enc.toUpperCase() === "B"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8"),
  );
}

function decodeQp(s: string): Buffer {
  const bytes: number[] = [];
  const t = s.replace(/=\r?\n/g, "");
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "=" && /^[0-9A-F]{2}$/i.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(t[i]!, "utf8"));
  }
  return Buffer.from(bytes);
}

export function parseMime(raw: string): MimePart {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const rest = cut < 0 ? "" : raw.slice(cut).replace(/^\r?\n\r?\n/, "");
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  const type = headers["content-type"] ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    const chunks = rest.split(`--${boundary}`).slice(1);
    const parts = chunks.filter((c) => !c.startsWith("--")).map((c) => parseMime(c.replace(/^\r?\n/, "").replace(/\r?\n$/, "")));
    return { headers, body: Buffer.alloc(0), parts };
  }
  const cte = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  const body = cte === "base64" ? Buffer.from(rest.replace(/\s+/g, ""), "base64") : cte === "quoted-printable" ? decodeQp(rest) : Buffer.from(rest, "utf8");
  return { headers, body, parts: [] };
}

/** A header parameter, plain or RFC 2231 (name*=utf-8''%D8..., split as name*0*, name*1*...). */
function param(header: string, name: string): string {
  const plain = new RegExp(`${name}="?([^";]+)"?`, "i").exec(header);
  const pieces = [...header.matchAll(new RegExp(`${name}\\*(\\d+)?\\*?="?([^";]+)"?`, "gi"))].sort((a, b) => Number(a[1] ?? 0) - Number(b[1] ?? 0));
  if (pieces.length === 0) return plain ? decodeWords(plain[1]!) : "";
  const joined = pieces.map((m) => m[2]!).join("").replace(/^[\w-]*'[\w-]*'/, "");
  return decodeURIComponent(joined);
}

function leaves(p: MimePart): MimePart[] {
  return p.parts.length === 0 ? [p] : p.parts.flatMap(leaves);
}

export function readMail(raw: string, envelope: { from: string; to: string[] }): ReceivedMail {
  const root = parseMime(raw);
  const all = leaves(root);
  const isAttachment = (p: MimePart) => /attachment/i.test(p.headers["content-disposition"] ?? "");
  const text = all.find((p) => !isAttachment(p) && /^text\/plain/i.test(p.headers["content-type"] ?? "text/plain"));
  const html = all.find((p) => !isAttachment(p) && /^text\/html/i.test(p.headers["content-type"] ?? ""));
  return {
    ...envelope,
    raw,
    subject: root.headers.subject ?? "",
    headers: root.headers,
    text: text?.body.toString("utf8").replace(/\r\n/g, "\n").replace(/\n$/, "") ?? "",
    html: html?.body.toString("utf8") ?? "",
    attachments: all.filter(isAttachment).map((p) => ({
      filename: param(p.headers["content-disposition"] ?? "", "filename"),
      contentType: (p.headers["content-type"] ?? "").split(";")[0]!.trim(),
      content: p.body,
    })),
  };
}

/** An SMTP server on a free port: `url` for SMTP_URL; `refuse` makes the next n mails fail with 451. */
export async function startSmtpServer(): Promise<{ url: string; received: ReceivedMail[]; refuse(n: number): void; stop(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    size: 30 * 1024 * 1024,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (refusals > 0) {
          refusals--;
          const err = new Error("Try again later: mailbox busy") as Error & { responseCode: number };
          err.responseCode = 451;
          return callback(err);
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        received.push(readMail(Buffer.concat(chunks).toString("utf8"), { from, to: session.envelope.rcptTo.map((r) => r.address) }));
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = (server.server as unknown as { address(): AddressInfo }).address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse(n: number) {
      refusals = n;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
