import type { JobEvent } from "../lib/queue";

const REFRESH_MS = 250;
const PENDING_REFRESH_MS = 1_000;
/** The same error again within this window is counted, not printed: a down database fails every poll. */
const REPEATED_ERROR_WINDOW_MS = 60_000;

export interface ProgressReporter {
  onEvent(event: JobEvent): void;
  start(headline: string): void;
  stop(): void;
  log(line: string): void;
  readonly totals: { processed: number; failed: number; retried: number };
}

/**
 * Live counts for the worker: one redrawn status line on a terminal (written by hand:
 * a single line of counts needs no progress-bar library), plain periodic log lines
 * when not a TTY (CI, systemd, docker logs).
 */
export function createProgressReporter(options: {
  stream: NodeJS.WriteStream;
  countPending: () => Promise<number>;
  plainIntervalMs?: number;
}): ProgressReporter {
  const { stream } = options;
  // A redrawn line only on a real terminal: a log file, a pipe or a dumb terminal gets plain lines.
  const interactive = Boolean(stream.isTTY) && process.env.CI !== "true" && process.env.TERM !== "dumb";
  const totals = { processed: 0, failed: 0, retried: 0 };
  let pending: number | null = null;
  let startedAt = Date.now();
  let lastProcessed = 0;
  let lastRateAt = Date.now();
  let rate = 0;
  const timers: NodeJS.Timeout[] = [];

  const refreshPending = () => {
    options.countPending().then(
      (count) => (pending = count),
      () => (pending = null),
    );
  };

  const statusLine = () => {
    const now = Date.now();
    const seconds = (now - lastRateAt) / 1000;
    if (seconds >= 1) {
      rate = (totals.processed - lastProcessed) / seconds;
      lastProcessed = totals.processed;
      lastRateAt = now;
    }
    const uptime = Math.round((now - startedAt) / 1000);
    return `processed ${totals.processed}  failed ${totals.failed}  retried ${totals.retried}  pending ${pending ?? "?"}  ${rate.toFixed(1)} jobs/s  up ${uptime}s`;
  };

  const draw = () => stream.write(`\r\x1b[2K${statusLine()}`);
  const log = (line: string) => {
    if (interactive) stream.write(`\r\x1b[2K${line}\n`);
    else stream.write(`${new Date().toISOString()} ${line}\n`);
  };

  let lastError: { text: string; at: number; repeats: number } | null = null;
  const flushRepeats = () => {
    if (lastError && lastError.repeats > 0) log(`(the error above happened ${lastError.repeats} more time(s))`);
    if (lastError) lastError.repeats = 0;
  };
  const logError = (text: string) => {
    const now = Date.now();
    if (lastError && lastError.text === text && now - lastError.at < REPEATED_ERROR_WINDOW_MS) {
      lastError.repeats++;
      return;
    }
    flushRepeats();
    lastError = { text, at: now, repeats: 0 };
    log(text);
  };

  return {
    totals,
    log,
    onEvent(event) {
      if (event.type === "job:complete") totals.processed++;
      else if (event.type === "job:failed") {
        totals.processed++;
        totals.failed++;
        log(`job ${event.job.id} (${event.job.kind}) failed for good: ${event.error.split("\n")[0]}`);
      } else if (event.type === "job:retry") totals.retried++;
      else if (event.type === "job:lost") log(`job ${event.jobId} lease lost; another worker owns it now`);
      else if (event.type === "error") logError(`error while ${event.context.replace(/ \(worker [^)]*\)$/, "")}: ${event.error.message}`);
    },
    start(headline) {
      startedAt = Date.now();
      stream.write(`${headline}\n`);
      refreshPending();
      timers.push(setInterval(refreshPending, PENDING_REFRESH_MS));
      if (interactive) timers.push(setInterval(draw, REFRESH_MS));
      else timers.push(setInterval(() => stream.write(`${new Date().toISOString()} ${statusLine()}\n`), options.plainIntervalMs ?? 10_000));
      for (const timer of timers) timer.unref();
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      flushRepeats();
      if (interactive) stream.write(`\r\x1b[2K`);
      stream.write(`${statusLine()}\n`);
    },
  };
}
