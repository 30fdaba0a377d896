/**
 * @module port-holder: whether a loopback TCP port is free, and which processes listen on it when it is not (read
 * from /proc on Linux: the listening socket's inode in /proc/net/tcp, then the process holding it in /proc/PID/fd).
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";

export interface PortHolder {
  readonly pid: number;
  /** Its command line, shortened. */
  readonly command: string;
}

/** True when this process could listen on `host:port` right now (nothing else holds it). */
export async function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (listening) await new Promise((resolve) => server.close(resolve));
  return listening;
}

/** The inodes of the sockets listening on `port` (any address, IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue; // no /proc (not Linux), or no IPv6
    }
    for (const row of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
      const fields = row.trim().split(/\s+/);
      const [localAddress, state, inode] = [fields[1], fields[3], fields[9]];
      const localPort = localAddress ? Number.parseInt(localAddress.split(":").at(-1) ?? "", 16) : Number.NaN;
      if (localPort === port && state === "0A" && inode && inode !== "0") inodes.add(inode); // 0A: LISTEN
    }
  }
  return inodes;
}

function commandLine(pid: string): string {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .replace(/[\0\s]+/g, " ")
      .trim();
    return words.length > 100 ? `${words.slice(0, 97)}...` : words;
  } catch {
    return "?";
  }
}

/**
 * The processes holding a socket that listens on `port`. Empty where /proc is missing (not Linux) or where the
 * holder belongs to a user whose file descriptors this user cannot read.
 */
export function portHolders(port: number): PortHolder[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const holders: PortHolder[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    const holds = fds.some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? "");
      } catch {
        return false;
      }
    });
    if (holds) holders.push({ pid: Number(pid), command: commandLine(pid) });
  }
  return holders;
}

/** "PID 1234 (workerd serve ...)", or what can be said when the holder cannot be seen. */
export function describeHolders(port: number): string {
  const holders = portHolders(port);
  if (holders.length === 0) {
    return "a process this user cannot see (`sudo ss -ltnp` or `lsof -i` names it)";
  }
  return holders.map((holder) => `PID ${holder.pid} (${holder.command})`).join(", ");
}
