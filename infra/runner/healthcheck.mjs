/** @module healthcheck: the image's HEALTHCHECK: exit 0 while the runner's /healthz says ready (model loaded), else 1. */
// Plain JavaScript: it runs every 15 s, and starting tsx for it would cost more than the check itself.
const port = process.env.RUNNER_HEALTH_PORT ?? "9464";
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4_000) });
  process.exitCode = response.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
