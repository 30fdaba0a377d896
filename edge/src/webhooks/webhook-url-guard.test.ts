import { describe, expect, it } from "vitest";
import { parseIpv6, specialRange } from "./ip-address.js";
import { webhookUrlProblem } from "./webhook-url-guard.js";

const production = { allowLocalhost: false };
const dev = { allowLocalhost: true };

describe("webhookUrlProblem", () => {
  it.each([
    "https://hooks.example.com/stochedit",
    "https://hooks.example.com:443/a?b=c",
    "https://hooks.example.com:80/plain-port",
    "https://93.184.216.34/hook",
    "https://[2606:4700:4700::1111]/hook",
  ])("allows %s", (url) => {
    expect(webhookUrlProblem(url, production)).toBeUndefined();
  });

  it.each([
    ["http://hooks.example.com/", "must use https"],
    ["ftp://hooks.example.com/", "must use https"],
    ["https://user:pass@hooks.example.com/", "user name or password"],
    ["https://localhost/", "local host"],
    ["https://api.localhost/", "local host"],
    ["https://printer.local/", "local host"],
    ["https://metadata.google.internal/", "local host"],
    ["https://router.home.arpa/", "local host"],
    ["https://metadata/", "single-label"],
    ["https://127.0.0.1/", "loopback"],
    ["https://127.1.2.3:8080/", "loopback"],
    ["https://2130706433/", "loopback"],
    ["https://0x7f.0.0.1/", "loopback"],
    ["https://10.1.2.3/", "private"],
    ["https://172.16.0.1/", "private"],
    ["https://172.31.255.255/", "private"],
    ["https://192.168.1.1/", "private"],
    ["https://169.254.169.254/latest/meta-data", "link-local"],
    ["https://100.64.0.1/", "carrier-grade NAT"],
    ["https://0.0.0.0/", "unspecified"],
    ["https://224.0.0.1/", "multicast"],
    ["https://[::1]/", "loopback"],
    ["https://[::]/", "unspecified"],
    ["https://[fe80::1]/", "link-local"],
    ["https://[fd12:3456::1]/", "unique local"],
    ["https://[::ffff:127.0.0.1]/", "IPv4-mapped loopback"],
    ["https://[::ffff:10.0.0.1]/", "IPv4-mapped private"],
    ["https://[64:ff9b::a9fe:a9fe]/", "NAT64 link-local"],
    ["https://[2002:c0a8:101::1]/", "6to4 private"],
    ["https://[ff02::1]/", "multicast"],
    ["not a url", "not a valid URL"],
    ["https://hooks.example.com:22/", "port 22"],
    ["https://hooks.example.com:6379/", "port 6379"],
    ["https://hooks.example.com:8443/", "port 8443"],
    ["https://93.184.216.34:9200/hook", "port 9200"],
    ["https://[2606:4700:4700::1111]:25/hook", "port 25"],
  ])("refuses %s (%s)", (url, reason) => {
    expect(webhookUrlProblem(url, production)).toContain(reason);
  });

  it("allows localhost and loopback, over http too, only with the dev flag", () => {
    for (const url of [
      "http://localhost:8787/hook",
      "http://127.0.0.1:9/h",
      "http://127.0.0.1:6379/any-port-on-loopback",
      "http://[::1]:9/h",
      "https://a.localhost/",
    ]) {
      expect(webhookUrlProblem(url, production)).toBeDefined();
      expect(webhookUrlProblem(url, dev)).toBeUndefined();
    }
  });

  it("keeps refusing private (non-loopback) addresses and plain http elsewhere under the dev flag", () => {
    expect(webhookUrlProblem("http://10.0.0.5/hook", dev)).toBe("must use https");
    expect(webhookUrlProblem("https://192.168.0.10/hook", dev)).toContain("private");
    expect(webhookUrlProblem("http://hooks.example.com/", dev)).toBe("must use https");
    expect(webhookUrlProblem("https://hooks.example.com:6379/", dev)).toContain("port 6379");
  });
});

describe("IPv6 literals", () => {
  it("parse in full, compressed and dotted-tail forms alike", () => {
    const full = parseIpv6("2001:0db8:0000:0000:0000:0000:0000:0001");
    expect(parseIpv6("2001:db8::1")).toEqual(full);
    expect(parseIpv6("::ffff:1.2.3.4")).toEqual(parseIpv6("::ffff:102:304"));
    for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::g", "1:2:3:4:5:6:7"]) {
      expect(parseIpv6(bad)).toBeUndefined();
    }
  });

  it("name public addresses as no special range, embedded public IPv4 included", () => {
    expect(specialRange(parseIpv6("2606:4700::1111")!)).toBeUndefined();
    expect(specialRange(parseIpv6("::ffff:8.8.8.8")!)).toBeUndefined();
    expect(specialRange(parseIpv6("64:ff9b::808:808")!)).toBeUndefined();
  });
});
