/**
 * @module webhook-url-guard: which URLs the edge will POST webhooks to (an SSRF guard): https on port 443 (or 80) to a
 * public host name or public IP address. It judges the URL only: Workers cannot resolve DNS before fetch, so a public name that
 * resolves to a private address passes here (see the README's "Dispatch and webhooks" for what covers that).
 */
import { type IpBytes, isLoopback, parseIpv4, parseIpv6, specialRange } from "./ip-address.js";

export interface WebhookUrlPolicy {
  /** Dev only: localhost and loopback addresses are allowed, over http too. */
  allowLocalhost: boolean;
}

/**
 * Ports a webhook may name: the web's own. Any other (22, 6379, 9200, ...) would let a public name that points at a
 * service's host make the edge speak HTTP to that service.
 */
const webhookPorts = new Set(["443", "80"]);

/** Host names that never leave the machine or the local network, whatever DNS says. */
const localSuffixes = ["localhost", "local", "localdomain", "internal", "intranet", "lan", "home.arpa"];

/** Why `url` may not receive webhooks (a phrase that completes "webhook_url ..."), or undefined when it may. */
export function webhookUrlProblem(url: string, policy: WebhookUrlPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid URL";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return `must use https (got ${parsed.protocol})`;
  if (parsed.username || parsed.password) return "must not carry a user name or password";
  // The URL parser has already normalised the host: IPv4 in dotted decimal (0x7f.1 and 2130706433 become
  // 127.0.0.1), IPv6 in brackets, names in lower case and punycode, a trailing dot kept.
  const host = parsed.hostname.replace(/\.$/, "");
  const address = ipLiteral(host);
  const loopback = address ? isLoopback(address) : host === "localhost" || host.endsWith(".localhost");
  if (loopback && policy.allowLocalhost) return undefined;
  if (parsed.protocol !== "https:") return "must use https";
  const hostProblem = publicHostProblem(host, address);
  if (hostProblem) return hostProblem;
  // The parser drops a scheme's default port (https://host:443 has port ""), so "" is 443 here.
  if (parsed.port !== "" && !webhookPorts.has(parsed.port)) {
    return `names port ${parsed.port}; webhooks go to port 443 (or 80) only`;
  }
  return undefined;
}

/** Why `host` is not a public host, or undefined when it is. */
function publicHostProblem(host: string, address: IpBytes | undefined): string | undefined {
  if (address) {
    const range = specialRange(address);
    return range === undefined ? undefined : `points at a ${range} address (${host}); webhooks go to public hosts only`;
  }
  const suffix = localSuffixes.find((s) => host === s || host.endsWith(`.${s}`));
  if (suffix) return `names a local host (${host}, .${suffix}); webhooks go to public hosts only`;
  if (!host.includes(".")) return `names a single-label host (${host}); use a fully qualified public name`;
  return undefined;
}

function ipLiteral(host: string): IpBytes | undefined {
  if (host.startsWith("[") && host.endsWith("]")) return parseIpv6(host.slice(1, -1));
  return parseIpv4(host);
}
