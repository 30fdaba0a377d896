/** @module logger: one JSON object per line on stdout (what log collectors parse), with the runner's id. */

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;
export type Logger = (level: LogLevel, message: string, fields?: LogFields) => void;

export function jsonLogger(
  base: LogFields,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  return (level, message, fields = {}) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...fields })}\n`);
  };
}
