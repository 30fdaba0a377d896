/** @module line-printer: children's log lines on the terminal, prefixed by who printed them, JSON lines made short. */
import { parseLogLine } from "./runner-process.js";

/** `quiet`: lines not worth a terminal line (a runner's idle claims, heartbeats and progress calls). */
export function linePrinter(
  prefix: string,
  { quiet, write = (text) => process.stdout.write(text) }: { quiet?: RegExp; write?: (text: string) => void } = {},
) {
  return (line: string) => {
    if (quiet?.test(line)) return;
    const entry = parseLogLine(line);
    if (!entry) {
      write(`[${prefix}] ${line}\n`);
      return;
    }
    const { time: _time, level, message, runner: _runner, ...fields } = entry;
    const details = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    write(
      `[${prefix}] ${level === "info" ? "" : `${String(level)}: `}${String(message)}${details ? ` ${details}` : ""}\n`,
    );
  };
}
