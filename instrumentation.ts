/** Runs once when a Next server process starts (next start, next dev, Vercel). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { stopOnBadSettings } = await import("./lib/api/stop-on-bad-settings");
  stopOnBadSettings();
  const { abortOnStopSignals } = await import("./lib/api/server-stopping");
  abortOnStopSignals();
}
