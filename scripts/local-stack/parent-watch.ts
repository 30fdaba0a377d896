/**
 * @module parent-watch: notices that whoever started this process is gone without a signal reaching it: `npm start`'s
 * npm SIGKILLed, say. npm runs a script as npm -> sh -c "..." -> this process, and the shell outlives npm, so every
 * link from this process up to npm is watched, not only the parent. Linux reads the links from /proc; elsewhere only
 * the parent is watched.
 */
import { readFileSync } from "node:fs";

/** The parent of `pid`, or undefined where /proc cannot say (not Linux, or the process is gone). */
function parentOf(pid: number): number | undefined {
  if (pid === process.pid) return process.ppid;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read from the last ")".
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** True when npm started `pid` to run a script (npm gives it npm_lifecycle_event; npm itself lacks it). */
function startedByNpm(pid: number): boolean {
  try {
    return `\0${readFileSync(`/proc/${pid}/environ`, "utf8")}`.includes("\0npm_lifecycle_event=");
  } catch {
    return false;
  }
}

/** [child, parent] pairs from this process up to the first ancestor npm did not start. */
function launchChain(): Array<readonly [number, number]> {
  const links: Array<readonly [number, number]> = [[process.pid, process.ppid]];
  let upper = process.ppid;
  while (links.length < 10 && upper > 1 && startedByNpm(upper)) {
    const parent = parentOf(upper);
    if (parent === undefined || parent <= 1) break;
    links.push([upper, parent]);
    upper = parent;
  }
  return links;
}

/** Calls `onGone` once, within about `intervalMs`, after any process of the launch chain has exited. */
export function watchLauncher(onGone: () => void, intervalMs = 500): void {
  const chain = launchChain();
  const timer = setInterval(() => {
    if (chain.every(([child, parent]) => parentOf(child) === parent)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
}
