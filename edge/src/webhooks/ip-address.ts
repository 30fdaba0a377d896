/**
 * @module ip-address: parses IPv4 and IPv6 literals (as URL hostnames carry them) and names the special-purpose range
 * one falls in (IANA's IPv4 and IPv6 special-purpose address registries, RFC 6890 and successors).
 */

/** 4 bytes for IPv4, 16 for IPv6. */
export type IpBytes = readonly number[];

interface Range {
  prefix: IpBytes;
  bits: number;
  kind: string;
}

const v4 = (cidr: string, kind: string): Range => {
  const [address, bits] = cidr.split("/");
  return { prefix: parseIpv4(address!)!, bits: Number(bits), kind };
};
const v6 = (cidr: string, kind: string): Range => {
  const [address, bits] = cidr.split("/");
  return { prefix: parseIpv6(address!)!, bits: Number(bits), kind };
};

const ipv4Ranges: Range[] = [
  v4("0.0.0.0/8", "unspecified"),
  v4("10.0.0.0/8", "private"),
  v4("100.64.0.0/10", "shared (carrier-grade NAT)"),
  v4("127.0.0.0/8", "loopback"),
  v4("169.254.0.0/16", "link-local"),
  v4("172.16.0.0/12", "private"),
  v4("192.0.0.0/24", "IETF protocol"),
  v4("192.0.2.0/24", "documentation"),
  v4("192.88.99.0/24", "6to4 relay"),
  v4("192.168.0.0/16", "private"),
  v4("198.18.0.0/15", "benchmarking"),
  v4("198.51.100.0/24", "documentation"),
  v4("203.0.113.0/24", "documentation"),
  v4("224.0.0.0/4", "multicast"),
  v4("240.0.0.0/4", "reserved"),
];

const ipv6Ranges: Range[] = [
  v6("::/128", "unspecified"),
  v6("::1/128", "loopback"),
  v6("64:ff9b:1::/48", "local NAT64"),
  v6("100::/64", "discard"),
  v6("2001::/32", "Teredo"),
  v6("2001:db8::/32", "documentation"),
  v6("fc00::/7", "unique local (private)"),
  v6("fe80::/10", "link-local"),
  v6("fec0::/10", "site-local"),
  v6("ff00::/8", "multicast"),
];

/** IPv6 ranges whose last (or, for 6to4, second to fifth) bytes are an IPv4 address that decides. */
const embeddedIpv4: { range: Range; offset: number }[] = [
  { range: v6("::ffff:0:0/96", "IPv4-mapped"), offset: 12 },
  { range: v6("::/96", "IPv4-compatible"), offset: 12 },
  { range: v6("64:ff9b::/96", "NAT64"), offset: 12 },
  { range: v6("2002::/16", "6to4"), offset: 2 },
];

export function parseIpv4(text: string): IpBytes | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** Full and `::`-compressed forms, with or without a dotted IPv4 tail; no zone ids (URLs do not carry them). */
export function parseIpv6(text: string): IpBytes | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): number[] | undefined => {
    if (half === "") return [];
    const groups: number[] = [];
    const parts = half.split(":");
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes(".")) {
        const tail = parseIpv4(part);
        if (!tail) return undefined;
        groups.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
        groups.push(Number.parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function inRange(bytes: IpBytes, range: Range): boolean {
  if (bytes.length !== range.prefix.length) return false;
  for (let bit = 0; bit < range.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3]! & mask) !== (range.prefix[bit >> 3]! & mask)) return false;
  }
  return true;
}

/** The special-purpose range an address falls in ("private", "loopback", ...), or undefined for a public address. */
export function specialRange(bytes: IpBytes): string | undefined {
  if (bytes.length === 4) return ipv4Ranges.find((range) => inRange(bytes, range))?.kind;
  for (const { range, offset } of embeddedIpv4) {
    // :: and ::1 sit inside ::/96 but are themselves special, not IPv4-compatible forms of 0.0.0.x.
    if (range.kind === "IPv4-compatible" && bytes.slice(0, 15).every((b) => b === 0)) continue;
    if (inRange(bytes, range)) {
      const inner = specialRange(bytes.slice(offset, offset + 4));
      return inner === undefined ? undefined : `${range.kind} ${inner}`;
    }
  }
  return ipv6Ranges.find((range) => inRange(bytes, range))?.kind;
}

export function isLoopback(bytes: IpBytes): boolean {
  return specialRange(bytes)?.endsWith("loopback") ?? false;
}
