/**
 * The long-running queue worker: `npm run worker` or `tsx scripts/process-grading-jobs.ts`.
 *
 *   --concurrency N       handlers at once (default 10)
 *   --poll-interval MS    how often to look for work without a NOTIFY (default 1000)
 *   --lease MS            lease per claimed job, renewed every third of it (default 30000)
 *   --once                drain what is runnable now, then exit
 *   --budget MS           with --once: stop claiming after this long (default 60000)
 *   --kinds a,b           only run these job kinds
 *
 * Exit codes: 0 stopped cleanly (SIGINT/SIGTERM, or --once drained); 1 could not run
 * (database unreachable, crash); 2 bad arguments; 3 --once finished but some jobs failed.
 */
import { parseArgs } from "node:util";
import { prepareDatabase } from "../lib/db/prepare-database";
import { createSql, isTransactionPoolerUrl } from "../lib/db/sql";
import {
  countRunnableJobs,
  createWorkerId,
  DEFAULT_CONCURRENCY,
  DEFAULT_POLL_INTERVAL_MS,
  drainQueue,
  runWorker,
  workerApplicationName,
  type TaskRegistry,
} from "../lib/queue";
import { DEFAULT_LEASE_MS } from "../lib/queue/claim-jobs";
import { appTasks } from "../lib/tasks";
import { createProgressReporter } from "./progress-reporter";

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
  for (const kind of kinds.split(",").map((k) => k.trim()).filter(Boolean)) {
    const task = gradelineTasks[kind];
    if (!task) usageError(`unknown job kind "${kind}"; known: ${Object.keys(gradelineTasks).join(", ")}`);
    selected[kind] = task;
  }
  return selected;
}

async function main(): Promise<number> {
  const flags = parseFlags();
  if (flags.help) {
    process.stdout.write("Usage: tsx scripts/process-grading-jobs.ts [--concurrency N] [--poll-interval MS] [--lease MS] [--once [--budget MS]] [--kinds a,b]\n");
    return EXIT_OK;
  }
  const concurrency = positiveInteger("concurrency", flags.concurrency, DEFAULT_CONCURRENCY);
  const pollIntervalMs = positiveInteger("poll-interval", flags["poll-interval"], DEFAULT_POLL_INTERVAL_MS);
  const leaseMs = positiveInteger("lease", flags.lease, DEFAULT_LEASE_MS);
  const budgetMs = positiveInteger("budget", flags.budget, 60_000);
  const tasks = selectTasks(flags.kinds);

  const url = await prepareDatabase();
  const workerId = createWorkerId();
  const sql = createSql(url, { max: Math.min(20, concurrency + 3), applicationName: workerApplicationName(workerId) });
  const reporter = createProgressReporter({ stream: process.stderr, countPending: () => countRunnableJobs(sql) });

  try {
    if (flags.once) {
      reporter.start(`draining (concurrency ${concurrency}, budget ${budgetMs} ms)`);
      const summary = await drainQueue({ sql, tasks, timeBudgetMs: budgetMs, concurrency, leaseMs, onEvent: reporter.onEvent });
      reporter.stop();
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return reporter.totals.failed > 0 ? EXIT_JOBS_FAILED : EXIT_OK;
    }

    const worker = await runWorker({
      sql,
      tasks,
      workerId,
      concurrency,
      pollIntervalMs,
      leaseMs,
      register: !isTransactionPoolerUrl(url),
      onEvent: reporter.onEvent,
    });
    reporter.start(`worker ${workerId} (concurrency ${concurrency}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const shutdown = (signal: NodeJS.Signals) => {
        reporter.log(`${signal}: finishing running jobs, giving back the rest…`);
        resolve();
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    });
    // A second signal means "now": the leases protect whatever is still running.
    process.once("SIGINT", () => process.exit(EXIT_ERROR));
    await worker.stop();
    reporter.stop();
    return EXIT_OK;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`process-grading-jobs: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(EXIT_ERROR);
  },
);
