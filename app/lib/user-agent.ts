export interface DeviceParts {
  /** "Chrome", "Safari"... or null when not recognised. */
  browser: string | null;
  /** "macOS", "Android"... or null when not recognised. */
  os: string | null;
  /** The start of the user agent, for devices recognised by neither; "" without one. */
  raw: string;
}

/**
 * Browser and system of a user agent, as product names (the same in every language):
 * pages put them in a sentence with deviceLabel (app/lib/i18n/messages.ts).
 */
export function deviceParts(ua: string | null | undefined): DeviceParts {
  if (!ua) return { browser: null, os: null, raw: "" };
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\/|Opera/.test(ua)
      ? "Opera"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /Chrome\/|CriOS\//.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : /curl\//i.test(ua)
              ? "curl"
              : null;
  const os = /iPhone|iPad|iPod/.test(ua)
    ? "iOS"
    : /Android/.test(ua)
      ? "Android"
      : /Mac OS X|Macintosh/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /CrOS/.test(ua)
            ? "ChromeOS"
            : /Linux/.test(ua)
              ? "Linux"
              : null;
  return { browser, os, raw: ua.slice(0, 40) };
}

/** "Chrome on macOS": enough for a person to recognise their own device in a list (English, for logs). */
export function describeDevice(ua: string | null | undefined): string {
  const { browser, os, raw } = deviceParts(ua);
  if (!ua) return "Unknown device";
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? raw;
}
