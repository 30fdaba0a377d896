/**
 * @module group-watchdog: ends the process groups of a parent that died without stopping them (SIGKILLed, crashed).
 * process-group.ts starts it in a session of its own and writes `+<pgid>` for each group it starts and `-<pgid>` for
 * each that ended. The parent holds the only writing end of this process's stdin: when it closes, however the parent
 * died, every group still listed gets SIGTERM, and SIGKILL after a grace period. Plain JavaScript: it starts in a
 * few milliseconds, with no loader.
 */
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

/** Long enough for a runner to hand its job back while the edge still answers; wrangler then gets SIGKILL. */
const graceMs = 5_000;

const groups = new Set();

const signalGroup = (pgid, signal) => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
};

async function endGroups() {
  for (const pgid of groups) signalGroup(pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && [...groups].some((pgid) => signalGroup(pgid, 0))) await sleep(100);
  for (const pgid of groups) signalGroup(pgid, "SIGKILL");
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const pgid = Number(line.slice(1));
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return;
  if (line.startsWith("+")) groups.add(pgid);
  if (line.startsWith("-")) groups.delete(pgid);
});
lines.on("close", () => void endGroups());
