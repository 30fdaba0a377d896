/**
 * @module cron-ticker: fires the edge's cron trigger under `wrangler dev`, which never fires crons by itself: a GET
 * of /__scheduled (served because of --test-scheduled) every minute, as `crons = ["* * * * *"]` does in production.
 */

const everyMinuteMs = 60_000;

/** Ticks until the process exits. A failed tick is reported and the next one tries again. */
export function startCronTicker(edgeUrl: string, report: (message: string) => void): void {
  const url = `${edgeUrl}/__scheduled?cron=${encodeURIComponent("* * * * *")}`;
  const timer = setInterval(async () => {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (!response.ok) report(`the edge's scheduled() handler answered ${response.status}`);
    } catch (error) {
      report(`the edge's scheduled() handler could not be reached: ${(error as Error).message}`);
    }
  }, everyMinuteMs);
  // The edge and runner processes keep `npm start` alive; the ticker alone must not.
  timer.unref();
}
