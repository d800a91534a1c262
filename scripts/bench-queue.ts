/**
 * Queue benchmark: `npm run bench:queue [-- --quick]`.
 *
 * Runs on a database of its own, `gradeline_bench` (BENCH_DATABASE_NAME to run two at
 * once on one server), dropped and recreated (then migrated with the Supabase CLI, as a
 * real project is) on every run: on the embedded PostgreSQL, or on the server of
 * BENCH_DATABASE_URL when that is set (any database on that server to connect through;
 * the role needs CREATEDB). DATABASE_URL is ignored. Autovacuum is off for grading_jobs
 * in that database, so no ANALYZE happens unless the benchmark runs one.
 * Workers are the real code: scripts/process-grading-jobs.ts, and for the crash test
 * scripts/bench/slow-worker.ts (runWorker with a noop that can be told to hold).
 * Each phase is a module of its own, scripts/bench/bench-<phase>.ts; this file runs them.
 *
 * Progress goes to stderr; the last line of stdout is one JSON object:
 *   {"enqueue_jobs_per_s", "drain_jobs_per_s", "drain_analyzed_jobs_per_s", "pickup_p50_ms",
 *    "pickup_p95_ms", "recovery_s"}
 *
 *   enqueue   N noop jobs in one enqueueJobs() call (payload validation + one
 *             enqueue_grading_jobs statement), no worker running. N / wall time of the call.
 *   drain     those N jobs, then one worker process (the CLI, --concurrency 10). Timed on
 *             the database's own clock, from min(started_at) (the first claim: the first
 *             job leaving pending) to max(finished_at) (the last completion), so worker
 *             start-up is excluded and polling granularity does not enter; the table is
 *             polled for progress and to know when it is done, and the polled wall time is
 *             printed alongside as a cross-check. grading_jobs has never been analysed
 *             (no pg_statistic rows before or after, checked): a burst into a queue whose
 *             statistics are empty or stale, as in production between autovacuum runs (#7).
 *   drain analysed  the same drain of N fresh jobs after `analyze grading_jobs`, so the
 *             planner knows they are pending. The two should be close (#7).
 *   pickup    an idle CLI worker (default flags); jobs enqueued one at a time, one
 *             enqueueJobs() call each, at 20/s. Latency = enqueue call start → handler
 *             start. The worker leaves two timestamps: started_at (now() of the claim
 *             transaction, which precedes the handler by the claim's execution, commit and
 *             transfer) and finished_at (now() of the completion transaction, which follows
 *             the noop handler by a few microtasks and one send). The handler started
 *             between the two; we report the finished_at one, an upper bound, and print the
 *             started_at one (a lower bound) on stderr. The enqueue start is our clock; it
 *             is put on the server's clock with an offset measured against
 *             clock_timestamp() (±half a loopback round trip; ~0 on one machine).
 *   recovery  two slow-worker processes; one job that holds its handler; once a worker
 *             runs it, that worker is SIGKILLed, and recovery is the time from the kill to
 *             the surviving worker's claim of the job (its new started_at, attempts = 2),
 *             with default settings: dead-worker detection, not the 30 s lease.
 *
 * Every phase starts on an empty grading_jobs (TRUNCATE with no worker running), so one
 * metric does not depend on the rows another one left.
 *
 * For diagnosis, stderr also gets: per phase, the machine's CPU use and how much of it was
 * not this benchmark (other programs, other databases on the same server: a disturbed
 * run says so); for the drain, claim and completion batch sizes and the throughput per
 * tenth of the drain; for pickups, the latency split at each timestamp the rows carry;
 * for recovery, when the killed worker's sessions vanished and its jobs were released.
 *
 *   --quick   5,000 jobs and 50 pickups instead of 20,000 and 200 (same recovery test).
 *   --only    a comma-separated subset of enqueue,drain,pickup,recovery (for profiling one
 *             phase); the others are null in the JSON. drain runs both drains; without
 *             enqueue it fills the queue itself, untimed.
 */
import { parseArgs } from "node:util";
import { createSql } from "../lib/db/sql";
import { benchDrain } from "./bench/bench-drain";
import { benchEnqueue } from "./bench/bench-enqueue";
import { benchPickup } from "./bench/bench-pickup";
import { benchRecovery } from "./bench/bench-recovery";
import type { BenchRun, Sizes } from "./bench/bench-run";
import { clearStatus, log } from "./bench/log";
import { clientNowMs, round } from "./bench/measure";
import { BENCH_DATABASE, prepareBenchDatabase } from "./bench/prepare-bench-database";
import { refillQueue } from "./bench/queue-state";

const PHASES = ["enqueue", "drain", "pickup", "recovery"] as const;
type Phase = (typeof PHASES)[number];

function parseFlags(): { quick: boolean; phases: Set<Phase> } {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
    strict: true,
  });
  const phases = new Set<Phase>();
  for (const name of (values.only ?? PHASES.join(","))
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (!(PHASES as readonly string[]).includes(name)) throw new Error(`--only: unknown phase "${name}"; phases: ${PHASES.join(", ")}`);
    phases.add(name as Phase);
  }
  return { quick: values.quick ?? false, phases };
}

async function main(): Promise<void> {
  const { quick, phases } = parseFlags();
  const sizes: Sizes = quick ? { jobs: 5_000, pickups: 50 } : { jobs: 20_000, pickups: 200 };
  const startedAt = clientNowMs();
  log(`queue benchmark${quick ? " (quick)" : ""}: ${sizes.jobs} jobs, ${sizes.pickups} pickups`);
  const { url: databaseUrl, serverIsLocal } = await prepareBenchDatabase();
  log(`database ${BENCH_DATABASE} recreated and migrated in ${((clientNowMs() - startedAt) / 1000).toFixed(1)} s`);

  const sql = createSql(databaseUrl, { max: 2, applicationName: "gradeline-bench" });
  const run: BenchRun = { sql, databaseUrl, sizes, serverIsLocal };
  try {
    const enqueueRate = phases.has("enqueue") ? await benchEnqueue(run) : null;
    if (phases.has("drain") && !phases.has("enqueue")) await refillQueue(sql, sizes);
    const drainRate = phases.has("drain") ? await benchDrain(run, false) : null;
    if (phases.has("drain")) await refillQueue(sql, sizes);
    const drainAnalyzedRate = phases.has("drain") ? await benchDrain(run, true) : null;
    const pickup = phases.has("pickup") ? await benchPickup(run) : null;
    const recoveryS = phases.has("recovery") ? await benchRecovery(run) : null;
    const result = {
      enqueue_jobs_per_s: enqueueRate === null ? null : Math.round(enqueueRate),
      drain_jobs_per_s: drainRate === null ? null : Math.round(drainRate),
      drain_analyzed_jobs_per_s: drainAnalyzedRate === null ? null : Math.round(drainAnalyzedRate),
      pickup_p50_ms: pickup === null ? null : round(pickup.p50, 2),
      pickup_p95_ms: pickup === null ? null : round(pickup.p95, 2),
      recovery_s: recoveryS === null ? null : round(recoveryS, 3),
    };
    log(`\ndone in ${((clientNowMs() - startedAt) / 1000).toFixed(1)} s`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    clearStatus();
    process.stderr.write(`bench-queue: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
