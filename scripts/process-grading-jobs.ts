/**
 * The long-running queue worker: `npm run worker` or `tsx scripts/process-grading-jobs.ts`.
 *
 *   --concurrency N       handlers at once (default 10)
 *   --poll-interval MS    how often to look for work without a NOTIFY (default 1000)
 *   --lease MS            lease per claimed job, renewed every third of it (default 30000)
 *   --once                drain what is runnable now, then exit
 *   --budget MS           with --once: stop claiming after this long (default 60000)
 *   --kinds a,b           only run these job kinds
 *   --shutdown-grace MS   on SIGINT/SIGTERM, how long running jobs may finish before
 *                         they are handed back (default 20000)
 *
 * Every CLEANUP_INTERVAL_MS (10 min; and once at start, and at the end of --once) it
 * deletes finished jobs older than 24 h, cold phrase-cache entries and, with
 * RETENTION_DAYS set, submissions past it (lib/env.ts): cleanup needs no cron (#9).
 *
 * SIGINT/SIGTERM/SIGHUP (also with --once): stop claiming, hand back unstarted jobs, let
 * running ones finish within the grace, release the rest, deregister, exit 0. The same signal again within a second
 * is the same request (a terminal and a parent process often both deliver it); a signal
 * after that means "now": exit 1 at once, the leases protect what was running.
 *
 * Exit codes: 0 stopped cleanly (SIGINT/SIGTERM, or --once drained); 1 could not run
 * (database unreachable, crash); 2 bad arguments; 3 --once finished but some jobs failed.
 */
import { parseArgs } from "node:util";
import { prepareDatabase } from "../lib/db/prepare-database";
import type { Sql } from "../lib/db/sql";
import { createSql, isTransactionPoolerUrl } from "../lib/db/sql";
import {
  countRunnableJobs,
  createWorkerId,
  DEFAULT_CONCURRENCY,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  drainQueue,
  runWorker,
  workerApplicationName,
  type TaskRegistry,
} from "../lib/queue";
import { DEFAULT_LEASE_MS } from "../lib/queue/claim-jobs";
import { retentionEnv } from "../lib/env";
import { runHousekeeping } from "../lib/grading/process-grading-queue";
import { appTasks } from "../lib/tasks";
import { createProgressReporter } from "./progress-reporter";
import { REPEATED_SIGNAL_WINDOW_MS, runOutsideTsxCli } from "./signal-relay";
import { checkServerEnv } from "../lib/env";

const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;
const EXIT_JOBS_FAILED = 3;

function usageError(message: string): never {
  process.stderr.write(`process-grading-jobs: ${message}\nSee the header of scripts/process-grading-jobs.ts for the flags.\n`);
  process.exit(EXIT_USAGE);
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) usageError(`--${name} must be a positive whole number, got "${value}"`);
  return parsed;
}

function parseFlags() {
  try {
    const { values } = parseArgs({
      options: {
        concurrency: { type: "string" },
        "poll-interval": { type: "string" },
        lease: { type: "string" },
        once: { type: "boolean", default: false },
        budget: { type: "string" },
        kinds: { type: "string" },
        "shutdown-grace": { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
    });
    return values;
  } catch (error) {
    usageError((error as Error).message);
  }
}

function selectTasks(kinds: string | undefined): TaskRegistry {
  const gradelineTasks = appTasks();
  if (!kinds) return gradelineTasks;
  const selected: TaskRegistry = {};
  for (const kind of kinds
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean)) {
    const task = gradelineTasks[kind];
    if (!task) usageError(`unknown job kind "${kind}"; known: ${Object.keys(gradelineTasks).join(", ")}`);
    selected[kind] = task;
  }
  return selected;
}

/** Says once, in words, what to run when the database has no queue functions yet. */
async function assertQueueSchema(sql: Sql): Promise<void> {
  const [row] = await sql<{ claim: string | null }[]>`
    select to_regprocedure('public.claim_grading_jobs(text, integer, integer, text[])')::text as claim
  `;
  if (!row?.claim) {
    throw new SchemaMissingError(
      "This database has no Gradeline queue (claim_grading_jobs is missing): apply the migrations first with `npm run db:migrate` (or `supabase db push`), then start the worker again.",
    );
  }
}

class SchemaMissingError extends Error {
  override name = "SchemaMissingError";
}

/**
 * Cleanup on a timer, first at once; never two runs at once. A failure (a database older
 * than the purge function, or down) is reported when it changes and never stops the worker.
 */
function startHousekeeping(sql: Sql, log: (line: string) => void): { runOnce(): Promise<void>; stop(): Promise<void> } {
  const { CLEANUP_INTERVAL_MS: intervalMs, RETENTION_DAYS: retentionDays } = retentionEnv();
  let running: Promise<void> | null = null;
  let lastError: string | null = null;
  const runOnce = () =>
    (running ??= runHousekeeping(sql, { retentionDays })
      .then(
        ({ cleanedUp, evictedPhrases, purgedSubmissions }) => {
          lastError = null;
          if (cleanedUp + evictedPhrases + purgedSubmissions === 0) return;
          const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
          const purged =
            retentionDays === undefined
              ? ""
              : `, ${count(purgedSubmissions, "submission", "submissions")} older than ${retentionDays} days`;
          log(
            `cleanup: deleted ${count(cleanedUp, "finished job", "finished jobs")}, ${count(evictedPhrases, "cold cache entry", "cold cache entries")}${purged}.`,
          );
        },
        (error: unknown) => {
          const message = (error as Error).message ?? String(error);
          if (message !== lastError) log(`cleanup failed (will try again in ${Math.round(intervalMs / 1000)} s): ${message}`);
          lastError = message;
        },
      )
      .finally(() => {
        running = null;
      }));
  const timer = setInterval(() => void runOnce(), intervalMs);
  void runOnce();
  return {
    runOnce,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** Resolves on the first SIGINT/SIGTERM/SIGHUP; a repeat within the window calls `onRepeat`, a later one `onForce`. */
function waitForStopSignal(handlers: {
  onFirst(signal: NodeJS.Signals): void;
  onRepeat(signal: NodeJS.Signals): void;
  onForce(signal: NodeJS.Signals): void;
}): Promise<void> {
  const { onFirst, onRepeat, onForce } = handlers;
  return new Promise((resolve) => {
    let firstAt: number | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      const now = Date.now();
      if (firstAt === null) {
        firstAt = now;
        onFirst(signal);
        resolve();
      } else if (now - firstAt >= REPEATED_SIGNAL_WINDOW_MS) {
        onForce(signal);
      } else {
        onRepeat(signal);
      }
    };
    // SIGHUP: the terminal we run in was closed; stop as cleanly as on SIGTERM.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  });
}

async function main(): Promise<number> {
  const relayed = await runOutsideTsxCli(import.meta.filename);
  if (relayed !== null) return relayed;

  const flags = parseFlags();
  if (flags.help) {
    process.stdout.write(
      "Usage: tsx scripts/process-grading-jobs.ts [--concurrency N] [--poll-interval MS] [--lease MS] [--once [--budget MS]] [--kinds a,b]\n",
    );
    return EXIT_OK;
  }
  try {
    checkServerEnv();
  } catch (error) {
    process.stderr.write(`process-grading-jobs: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const concurrency = positiveInteger("concurrency", flags.concurrency, DEFAULT_CONCURRENCY);
  const pollIntervalMs = positiveInteger("poll-interval", flags["poll-interval"], DEFAULT_POLL_INTERVAL_MS);
  const leaseMs = positiveInteger("lease", flags.lease, DEFAULT_LEASE_MS);
  const budgetMs = positiveInteger("budget", flags.budget, 60_000);
  const shutdownGraceMs = positiveInteger("shutdown-grace", flags["shutdown-grace"], DEFAULT_SHUTDOWN_TIMEOUT_MS);
  const tasks = selectTasks(flags.kinds);

  const url = await prepareDatabase();
  const workerId = createWorkerId();
  const sql = createSql(url, { max: Math.min(20, concurrency + 3), applicationName: workerApplicationName(workerId) });
  const reporter = createProgressReporter({ stream: process.stderr, countPending: () => countRunnableJobs(sql) });

  try {
    await assertQueueSchema(sql);
    if (flags.once) {
      reporter.start(`draining (concurrency ${concurrency}, budget ${budgetMs} ms)`);
      const stop = new AbortController();
      void waitForStopSignal({
        onFirst: (signal) => {
          reporter.log(`${signal}: no more claims; running jobs get up to ${shutdownGraceMs} ms, the rest go back…`);
          stop.abort(new Error(`${signal} received`));
        },
        onRepeat: () => {},
        onForce: (signal) => {
          reporter.log(`${signal} again: exiting now; the leases of running jobs expire by themselves.`);
          process.exit(EXIT_ERROR);
        },
      });
      const summary = await drainQueue({
        sql,
        tasks,
        timeBudgetMs: budgetMs,
        concurrency,
        leaseMs,
        register: !isTransactionPoolerUrl(url),
        signal: stop.signal,
        shutdownGraceMs,
        onEvent: reporter.onEvent,
      });
      reporter.stop();
      if (!stop.signal.aborted) {
        const housekeeping = startHousekeeping(sql, (line) => process.stderr.write(`${line}\n`));
        await housekeeping.stop();
      }
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return reporter.totals.failed > 0 ? EXIT_JOBS_FAILED : EXIT_OK;
    }

    // Listening before the worker starts: a signal during start-up (it registers first) is a
    // stop request too, not the default action that killed it still registered (#7).
    const stopRequested = waitForStopSignal({
      onFirst: (signal) => reporter.log(`${signal}: finishing running jobs (up to ${shutdownGraceMs} ms), giving back the rest…`),
      onRepeat: (signal) => reporter.log(`${signal} again within a second: the same stop request, already stopping.`),
      onForce: (signal) => {
        reporter.log(`${signal} again: exiting now; the leases of running jobs expire by themselves.`);
        process.exit(EXIT_ERROR);
      },
    });
    const worker = await runWorker({
      sql,
      tasks,
      workerId,
      concurrency,
      pollIntervalMs,
      leaseMs,
      shutdownTimeoutMs: shutdownGraceMs,
      register: !isTransactionPoolerUrl(url),
      onEvent: reporter.onEvent,
    });
    reporter.start(`worker ${workerId} (concurrency ${concurrency}); Ctrl-C to stop`);
    const housekeeping = startHousekeeping(sql, reporter.log);
    await stopRequested;
    await Promise.all([worker.stop(), housekeeping.stop()]);
    reporter.stop();
    const { released } = worker.stats;
    reporter.log(`stopped: worker ${workerId} deregistered${released > 0 ? `, ${released} job(s) handed back` : ""}.`);
    return EXIT_OK;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const message = error instanceof SchemaMissingError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`process-grading-jobs: ${message}\n`);
    process.exit(EXIT_ERROR);
  },
);
