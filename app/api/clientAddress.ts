import type { IncomingMessage } from "node:http";
import { BlockList, isIP, type Socket } from "node:net";

/**
 * Who is on the other end, for rate limits and logs.
 *
 *   HOLDFAST_TRUSTED_PROXIES  comma-separated addresses or CIDR ranges of the load balancers
 *                             and ingress in front of this server, e.g. "10.0.0.0/8,192.0.2.10".
 *                             Default: none, not even loopback.
 *
 * X-Forwarded-For is read only when the connection comes from a trusted proxy, and then
 * from the right: the first hop that is not a trusted proxy is the client. Everything left
 * of it was written by the client and is ignored. Trusting nobody by default means a spoofed
 * header never changes who gets limited; the cost is that behind an unconfigured load
 * balancer every shopper shares its address, so set the variable in every deployment with one.
 */
export const TRUSTED_PROXIES_VARIABLE = "HOLDFAST_TRUSTED_PROXIES";

export interface TrustedProxies {
  has(address: string): boolean;
}

export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix, extra] = entry.split("/");
    const family = isIP(address);
    const maxBits = family === 4 ? 32 : 128;
    const bits = prefix === undefined ? maxBits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (family === 0 || extra !== undefined || !(bits <= maxBits)) {
      throw new Error(`${TRUSTED_PROXIES_VARIABLE} entry "${entry}" is not an IP address or CIDR range`);
    }
    list.addSubnet(address, bits, family === 4 ? "ipv4" : "ipv6");
  }
  return {
    has(address) {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

export function trustedProxiesFromEnv(env: NodeJS.ProcessEnv = process.env): TrustedProxies {
  const entries = (env[TRUSTED_PROXIES_VARIABLE] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return trustedProxies(entries);
}

export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = peerOf(req.socket).address;
  if (!peer) return "unknown";
  const forwarded = req.headers["x-forwarded-for"];
  if (!forwarded || !trusted.has(peer)) return peer;
  return forwardedClient(peer, forwarded, trusted);
}

/** addressBucket(clientAddress(...)), answered from the connection when no proxy header counts. */
export function clientBucket(req: IncomingMessage, trusted: TrustedProxies): string {
  const peer = peerOf(req.socket);
  if (!peer.address) return "unknown";
  const forwarded = req.headers["x-forwarded-for"];
  if (!forwarded || !trusted.has(peer.address)) return peer.bucket;
  return addressBucket(forwardedClient(peer.address, forwarded, trusted));
}

interface Peer {
  address: string;
  bucket: string;
}

/** A keep-alive connection carries many polls from one peer: parse its address once. */
const peers = new WeakMap<Socket, Peer>();

function peerOf(socket: Socket): Peer {
  let peer = peers.get(socket);
  if (peer === undefined) {
    const address = normaliseAddress(socket.remoteAddress ?? "");
    peer = { address, bucket: address ? addressBucket(address) : "unknown" };
    // remoteAddress is undefined once the socket is gone; do not remember that.
    if (address) peers.set(socket, peer);
  }
  return peer;
}

function forwardedClient(peer: string, forwarded: string | string[], trusted: TrustedProxies): string {
  const hops = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded).split(",");
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress(hops[i] ?? "");
    // A hop that is not an address was not written by a proxy we trust: stop at the last one that was.
    if (!hop) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}

/**
 * The unit one client is limited as: an IPv4 address, or the /64 of an IPv6 address,
 * because one IPv6 subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function addressBucket(address: string): string {
  const normal = normaliseAddress(address);
  if (isIP(normal) !== 6) return normal || address;
  const [head = "", tail] = normal.split("%")[0]?.split("::") ?? [];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  // An embedded dotted IPv4 part stands for two groups.
  const tailWidth = tailGroups.reduce((width, group) => width + (group.includes(".") ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - headGroups.length - tailWidth }, () => "0");
  const groups = [...headGroups, ...zeros, ...tailGroups].slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16));
  return `${groups.join(":")}::/64`;
}

/** Plain address text without IPv4-mapped IPv6 wrapping, ports, brackets or spaces; "" if not an address. */
function normaliseAddress(raw: string): string {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed?.[1]) text = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  if (text.toLowerCase().startsWith("::ffff:") && isIP(text.slice(7)) === 4) text = text.slice(7);
  return isIP(text) === 0 ? "" : text;
}
