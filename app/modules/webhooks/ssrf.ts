/**
 * Where webhooks may not go: loopback, private (RFC 1918, unique-local), link-local
 * (which holds the cloud metadata address 169.254.169.254), carrier-grade NAT,
 * "this network", multicast and reserved ranges, for IPv4 and IPv6 (and IPv4 mapped
 * into IPv6). Checked when an endpoint is saved and again for the address actually
 * connected to (a name may resolve elsewhere by then: DNS rebinding).
 * WEBHOOKS_ALLOW_PRIVATE=1 allows them (development and tests), and with it plain http.
 */
import dns from "node:dns";
import net from "node:net";
import { env } from "~/lib/env.server";

const blocked = new net.BlockList();
for (const [a, p] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(a, p, "ipv4");
for (const [a, p] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
  ["fd00:ec2::", 32],
] as const)
  blocked.addSubnet(a, p, "ipv6");

export function privateAllowed(): boolean {
  return env.WEBHOOKS_ALLOW_PRIVATE;
}

export function isForbiddenAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, "ipv4");
    return blocked.check(address, "ipv6");
  }
  return blocked.check(address, "ipv4");
}

/** All addresses a host name resolves to (an IP literal is itself). */
export async function resolveAll(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (net.isIP(bare)) return [bare];
  const found = await dns.promises.lookup(bare, { all: true, verbatim: true });
  return found.map((f) => f.address);
}

/** null when the host may receive webhooks; else why not. */
export async function checkHost(host: string): Promise<string | null> {
  if (privateAllowed()) return null;
  let addresses: string[];
  try {
    addresses = await resolveAll(host);
  } catch {
    return `The host name "${host}" does not resolve.`;
  }
  const bad = addresses.find(isForbiddenAddress);
  return bad ? `"${host}" resolves to ${bad}, a private, loopback, link-local or reserved address: webhooks go to public addresses only.` : null;
}

/**
 * A `lookup` for http(s).request: resolves, then refuses a forbidden address at connect
 * time (the check the request actually relies on).
 */
export const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
    if (err) return (callback as (e: Error | null, a: string | dns.LookupAddress[], f?: number) => void)(err, "", 4);
    const list = addresses as dns.LookupAddress[];
    const bad = privateAllowed() ? undefined : list.find((a) => isForbiddenAddress(a.address));
    const cb = callback as (e: Error | null, a: string | dns.LookupAddress[], f?: number) => void;
    if (bad) return cb(new Error(`refused: ${hostname} resolves to ${bad.address}, a private or reserved address`), "", 4);
    if ((options as { all?: boolean }).all) return cb(null, list);
    return cb(null, list[0]!.address, list[0]!.family);
  });
};
