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
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { ensureEmbeddedPostgres } from "../lib/db/embedded";
import { applyMigrations } from "../lib/db/migrate";
import { createSql, type Sql } from "../lib/db/sql";
import { enqueueJobs } from "../lib/queue";
import { spawnWorker, type WorkerProcess } from "./bench/children";
import { startCpuMonitor } from "./bench/cpu";
import { calibrateClock, clientNowMs, percentile, round, summarize } from "./bench/measure";

const BENCH_DATABASE = process.env.BENCH_DATABASE_NAME ?? "gradeline_bench";
const CLI_SCRIPT = "scripts/process-grading-jobs.ts";
const SLOW_WORKER_SCRIPT = "scripts/bench/slow-worker.ts";
const PICKUP_RATE_PER_S = 20;
const DRAIN_POLL_MS = 20;
const DRAIN_TIMEOUT_MS = 180_000;
const WORKER_READY_TIMEOUT_MS = 30_000;
/** Longer than the default 30 s lease, so a failed dead-worker detection still shows up as a (slow) number. */
const RECOVERY_TIMEOUT_MS = 60_000;

/** Whether the database server runs on this machine, so that its backends' pids are ours to read in /proc. */
let serverIsLocal = true;

interface Sizes {
  jobs: number;
  pickups: number;
}

const interactive = Boolean(process.stderr.isTTY);
let statusShown = false;

function log(line: string): void {
  clearStatus();
  process.stderr.write(`${line}\n`);
}

/** A redrawn status line on a terminal; one line per call otherwise (callers throttle). */
function status(line: string): void {
  if (interactive) {
    process.stderr.write(`\r\x1b[2K${line}`);
    statusShown = true;
  } else {
    process.stderr.write(`${line}\n`);
  }
}

function clearStatus(): void {
  if (statusShown) process.stderr.write("\r\x1b[2K");
  statusShown = false;
}

const PHASES = ["enqueue", "drain", "pickup", "recovery"] as const;
type Phase = (typeof PHASES)[number];

function parseFlags(): { quick: boolean; phases: Set<Phase> } {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
    strict: true,
  });
  const phases = new Set<Phase>();
  for (const name of (values.only ?? PHASES.join(",")).split(",").map((p) => p.trim()).filter(Boolean)) {
    if (!(PHASES as readonly string[]).includes(name)) throw new Error(`--only: unknown phase "${name}"; phases: ${PHASES.join(", ")}`);
    phases.add(name as Phase);
  }
  return { quick: values.quick ?? false, phases };
}

async function prepareBenchDatabase(): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DATABASE)) throw new Error(`BENCH_DATABASE_NAME must be a plain lowercase identifier, got "${BENCH_DATABASE}"`);
  const adminUrl = process.env.BENCH_DATABASE_URL ?? (await ensureEmbeddedPostgres()).adminUrl;
  const benchUrl = new URL(adminUrl);
  serverIsLocal = ["127.0.0.1", "localhost", "[::1]"].includes(benchUrl.hostname);
  benchUrl.pathname = `/${BENCH_DATABASE}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${BENCH_DATABASE} with (force)`);
    await admin.unsafe(`create database ${BENCH_DATABASE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  await applyMigrations(benchUrl.toString());
  const bench = postgres(benchUrl.toString(), { max: 1, onnotice: () => {} });
  try {
    // The unanalysed drain must stay unanalysed: 20,000 inserts would trigger an auto-analyze within a naptime.
    await bench`alter table grading_jobs set (autovacuum_enabled = false)`;
  } finally {
    await bench.end({ timeout: 5 });
  }
  return benchUrl.toString();
}

/** The processes whose CPU is the benchmark's: this one, its live workers, and their Postgres backends (when local). */
function benchPids(sql: Sql, workers: readonly WorkerProcess[]): () => Promise<number[]> {
  return async () => {
    const backends = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`;
    return [process.pid, ...workers.filter((worker) => !worker.hasExited).map((worker) => worker.pid), ...backends.map((row) => row.pid)];
  };
}

/** Measures machine CPU over a phase; the returned function logs it, warning when something else was busy. */
async function monitorCpu(sql: Sql, workers: readonly WorkerProcess[]): Promise<() => Promise<void>> {
  if (!serverIsLocal) return async () => {};
  const finish = await startCpuMonitor(benchPids(sql, workers));
  return async () => {
    const report = await finish(benchPids(sql, workers));
    if (!report) return;
    const other = Math.max(0, report.busyCores - report.oursCores);
    log(
      `  cpu: ${report.busyCores.toFixed(2)} of ${report.cores} cores busy; this benchmark (its processes and backends) ${report.oursCores.toFixed(2)}, everything else ${other.toFixed(2)}` +
        (other > 0.25 ? "  <- other load on the machine: this number is disturbed" : ""),
    );
  };
}

/** Only between phases, when no worker is connected. No ANALYZE: a drain chooses whether it runs one. */
async function resetQueue(sql: Sql): Promise<void> {
  await sql`truncate grading_jobs, grading_workers`;
  await sql`vacuum grading_jobs`;
}

/** An empty queue refilled with N pending noop jobs, untimed. */
async function refillQueue(sql: Sql, sizes: Sizes): Promise<void> {
  await resetQueue(sql);
  await enqueueJobs(sql, Array.from({ length: sizes.jobs }, () => ({ kind: "noop" as const, payload: {} })));
}

async function statisticsRows(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_statistic where starelid = 'grading_jobs'::regclass`;
  return row!.n;
}

function workerEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: databaseUrl };
}

function spawnCli(label: string, databaseUrl: string, args: string[] = []): WorkerProcess {
  return spawnWorker({
    label,
    script: CLI_SCRIPT,
    args,
    env: workerEnv(databaseUrl),
    onStderrLine: (line) => log(`  [${label}] ${line.replace(/^\S+Z /, "")}`),
  });
}

/** Waits for the worker's grading_workers row: runWorker registers it once it is LISTENing, i.e. ready. */
async function waitUntilRegistered(sql: Sql, worker: WorkerProcess): Promise<void> {
  const deadline = clientNowMs() + WORKER_READY_TIMEOUT_MS;
  for (;;) {
    if (worker.hasExited) throw new Error(`${worker.label} exited during start-up (${await worker.exited})`);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from grading_workers`;
    if (row!.n > 0) return;
    if (clientNowMs() > deadline) throw new Error(`${worker.label} did not register within ${WORKER_READY_TIMEOUT_MS / 1000} s`);
    await sleep(50);
  }
}

async function queueState(sql: Sql): Promise<{ pending: number; processing: number }> {
  // Both counts can use the partial indexes on status; cheap enough to poll every 20 ms.
  const [row] = await sql<{ pending: number; processing: number }[]>`
    select
      (select count(*) from grading_jobs where status = 'pending')::int as pending,
      (select count(*) from grading_jobs where status = 'processing')::int as processing
  `;
  return row!;
}

async function benchEnqueue(sql: Sql, sizes: Sizes): Promise<number> {
  log(`\n== enqueue: ${sizes.jobs} noop jobs in one enqueueJobs() call`);
  await resetQueue(sql);
  const jobs = Array.from({ length: sizes.jobs }, () => ({ kind: "noop" as const, payload: {} }));
  const cpu = await monitorCpu(sql, []);
  const startedAt = clientNowMs();
  const enqueued = await enqueueJobs(sql, jobs);
  const seconds = (clientNowMs() - startedAt) / 1000;
  await cpu();
  if (enqueued.length !== sizes.jobs || enqueued.some((job) => !job.inserted)) {
    throw new Error(`enqueue returned ${enqueued.length} jobs, expected ${sizes.jobs} inserted`);
  }
  const rate = sizes.jobs / seconds;
  log(`enqueued ${sizes.jobs} in ${(seconds * 1000).toFixed(0)} ms: ${rate.toFixed(0)} jobs/s`);
  return rate;
}

async function benchDrain(sql: Sql, databaseUrl: string, sizes: Sizes, analyzed: boolean): Promise<number> {
  const total = sizes.jobs;
  log(`\n== drain${analyzed ? " analysed" : ""}: ${total} pending noop jobs, one worker process (${CLI_SCRIPT} --concurrency 10)`);
  const before = await queueState(sql);
  if (before.pending !== total) throw new Error(`expected ${total} pending jobs before the drain, found ${before.pending}`);
  if (analyzed) {
    await sql`analyze grading_jobs`;
    log(`analyze grading_jobs: ${await statisticsRows(sql)} pg_statistic rows`);
  } else if ((await statisticsRows(sql)) > 0) {
    throw new Error("grading_jobs has statistics before the unanalysed drain; the database should be fresh");
  }

  const worker = spawnCli("drain worker", databaseUrl, ["--concurrency", "10"]);
  try {
    const cpu = await monitorCpu(sql, [worker]);
    const spawnedAt = clientNowMs();
    let firstClaimSeenAt: number | null = null;
    let doneAt: number | null = null;
    let lastStatusAt = 0;
    let lastCompleted = 0;
    let lastRateAt = 0;
    let rate = 0;
    while (doneAt === null) {
      if (worker.hasExited) throw new Error(`the drain worker exited early (${await worker.exited})`);
      const now = clientNowMs();
      if (now - spawnedAt > DRAIN_TIMEOUT_MS) throw new Error(`drain not finished after ${DRAIN_TIMEOUT_MS / 1000} s`);
      const { pending, processing } = await queueState(sql);
      const completed = total - pending - processing;
      const polledAt = clientNowMs();
      if (firstClaimSeenAt === null && pending < total) {
        firstClaimSeenAt = polledAt;
        log(`first claim seen ${((polledAt - spawnedAt) / 1000).toFixed(2)} s after spawning the worker (start-up, excluded)`);
        lastRateAt = polledAt;
      }
      if (pending === 0 && processing === 0) doneAt = polledAt;
      if (firstClaimSeenAt !== null && polledAt - lastRateAt >= 250) {
        rate = ((completed - lastCompleted) * 1000) / (polledAt - lastRateAt);
        lastCompleted = completed;
        lastRateAt = polledAt;
      }
      if (doneAt !== null || polledAt - lastStatusAt >= (interactive ? 100 : 500)) {
        lastStatusAt = polledAt;
        status(`drain: completed ${completed}/${total}  processing ${processing}  pending ${pending}  ${rate.toFixed(0)} jobs/s`);
      }
      if (doneAt === null) await sleep(DRAIN_POLL_MS);
    }
    clearStatus();
    await cpu();

    const [row] = await sql<{ completed: number; other: number; drain_ms: number; max_attempts: number }[]>`
      select
        count(*) filter (where status = 'completed')::int as completed,
        count(*) filter (where status <> 'completed')::int as other,
        extract(epoch from max(finished_at) - min(started_at))::float8 * 1000 as drain_ms,
        max(attempts)::int as max_attempts
      from grading_jobs
    `;
    if (row!.completed !== total || row!.other !== 0) {
      throw new Error(`after the drain: ${row!.completed} completed, ${row!.other} in another status (expected ${total} completed)`);
    }
    if (!analyzed && (await statisticsRows(sql)) > 0) throw new Error("grading_jobs was analysed during the unanalysed drain");
    const drainRate = (total * 1000) / row!.drain_ms;
    const polledMs = doneAt - firstClaimSeenAt!;
    log(
      `drained ${total} in ${row!.drain_ms.toFixed(0)} ms (first claim → last completion, database clock): ${drainRate.toFixed(0)} jobs/s` +
        `\n  cross-check by polling every ${DRAIN_POLL_MS} ms: ${polledMs.toFixed(0)} ms, ${((total * 1000) / polledMs).toFixed(0)} jobs/s;` +
        ` max attempts ${row!.max_attempts}`,
    );
    await logDrainProfile(sql);
    return drainRate;
  } finally {
    await worker.stop();
  }
}

/**
 * Where the drain's time went, from the rows alone: every claim and every completion
 * is one statement, and now() is constant within one, so the rows sharing a started_at
 * are one claim's batch and the rows sharing a finished_at one completion batch.
 */
async function logDrainProfile(sql: Sql): Promise<void> {
  const [claims] = await sql<{ statements: number; mean: number; p50: number; max: number }[]>`
    select count(*)::int as statements, avg(n)::float8 as mean,
      percentile_disc(0.5) within group (order by n)::int as p50, max(n)::int as max
    from (select count(*) as n from grading_jobs group by started_at) batches
  `;
  const [completions] = await sql<{ statements: number; mean: number; p50: number; max: number }[]>`
    select count(*)::int as statements, avg(n)::float8 as mean,
      percentile_disc(0.5) within group (order by n)::int as p50, max(n)::int as max
    from (select count(*) as n from grading_jobs group by finished_at) batches
  `;
  // Throughput per tenth of the drain, to tell a slow start from a slow steady state.
  const tenths = await sql<{ tenth: number; jobs: number }[]>`
    with bounds as (select min(started_at) as t0, max(finished_at) as t1 from grading_jobs)
    select least(9, floor(extract(epoch from finished_at - t0) / nullif(extract(epoch from t1 - t0), 0) * 10))::int as tenth,
      count(*)::int as jobs
    from grading_jobs, bounds group by 1 order by 1
  `;
  const [span] = await sql<{ ms: number; claim_to_done_p50: number; claim_to_done_p95: number }[]>`
    select extract(epoch from max(finished_at) - min(started_at))::float8 * 1000 as ms,
      percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at))::float8 * 1000 as claim_to_done_p50,
      percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at))::float8 * 1000 as claim_to_done_p95
    from grading_jobs
  `;
  const f = (x: number) => x.toFixed(1);
  log(`  claims: ${claims!.statements} statements, jobs per claim mean ${f(claims!.mean)} p50 ${claims!.p50} max ${claims!.max}`);
  log(`  completions: ${completions!.statements} statements, jobs per statement mean ${f(completions!.mean)} p50 ${completions!.p50} max ${completions!.max}`);
  log(`  claim → completion per job: p50 ${f(span!.claim_to_done_p50)} ms, p95 ${f(span!.claim_to_done_p95)} ms`);
  const tenthMs = span!.ms / 10;
  log(`  jobs/s per tenth of the drain: ${tenths.map((t) => ((t.jobs * 1000) / tenthMs).toFixed(0)).join(" ")}`);
}

async function benchPickup(sql: Sql, databaseUrl: string, sizes: Sizes): Promise<{ p50: number; p95: number }> {
  log(`\n== pickup: ${sizes.pickups} jobs enqueued one by one at ${PICKUP_RATE_PER_S}/s, one idle worker (${CLI_SCRIPT}, default flags)`);
  await resetQueue(sql);
  const worker = spawnCli("pickup worker", databaseUrl);
  try {
    await waitUntilRegistered(sql, worker);
    await sleep(1_000); // let its first (empty) claim and first progress query pass: we measure an idle worker
    const clock = await calibrateClock(sql);
    log(`clock offset (server − bench) ${clock.offsetMs.toFixed(3)} ms, ±${(clock.rttMs / 2).toFixed(3)} ms`);

    const cpu = await monitorCpu(sql, [worker]);
    const sent: Array<{ jobId: number; at: number; callMs: number }> = [];
    const intervalMs = 1000 / PICKUP_RATE_PER_S;
    const scheduleStart = clientNowMs();
    for (let i = 0; i < sizes.pickups; i++) {
      // A fixed schedule, not a sleep after each call: the rate stays 20/s whatever a call takes.
      const wait = scheduleStart + i * intervalMs - clientNowMs();
      if (wait > 0) await sleep(wait);
      if (worker.hasExited) throw new Error(`the pickup worker exited (${await worker.exited})`);
      const at = clientNowMs();
      const [job] = await enqueueJobs(sql, [{ kind: "noop", payload: { label: `pickup ${i}` } }]);
      sent.push({ jobId: job!.jobId, at, callMs: clientNowMs() - at });
      if ((i + 1) % 10 === 0 || i + 1 === sizes.pickups) status(`pickup: enqueued ${i + 1}/${sizes.pickups}`);
    }
    clearStatus();

    const deadline = clientNowMs() + 10_000;
    for (;;) {
      const { pending, processing } = await queueState(sql);
      if (pending === 0 && processing === 0) break;
      if (clientNowMs() > deadline) throw new Error(`pickup jobs not done 10 s after the last enqueue (${pending} pending, ${processing} processing)`);
      await sleep(20);
    }
    await cpu();

    const rows = await sql<{ id: number; status: string; attempts: number; created_ms: number; started_ms: number; finished_ms: number }[]>`
      select id, status, attempts,
        extract(epoch from created_at)::float8 * 1000 as created_ms,
        extract(epoch from started_at)::float8 * 1000 as started_ms,
        extract(epoch from finished_at)::float8 * 1000 as finished_ms
      from grading_jobs where id = any(${sent.map((s) => s.jobId)}::bigint[])
    `;
    const byId = new Map(rows.map((row) => [row.id, row]));
    const toInsert: number[] = [];
    const toClaim: number[] = [];
    const toCompletion: number[] = [];
    for (const { jobId, at } of sent) {
      const row = byId.get(jobId);
      if (!row || row.status !== "completed" || row.attempts !== 1) throw new Error(`pickup job ${jobId}: ${row ? `${row.status}, attempts ${row.attempts}` : "missing"}`);
      const atServer = at + clock.offsetMs;
      toInsert.push(row.created_ms - atServer);
      toClaim.push(row.started_ms - atServer);
      toCompletion.push(row.finished_ms - atServer);
    }
    log(`enqueue call (client round trip)       ${summarize(sent.map((s) => s.callMs))} ms`);
    log(`enqueue start → insert tx start        ${summarize(toInsert)} ms`);
    log(`enqueue start → claim (lower bound)    ${summarize(toClaim)} ms`);
    log(`enqueue start → completion (upper bound, reported) ${summarize(toCompletion)} ms`);
    const perSecond: string[] = [];
    for (let i = 0; i < toCompletion.length; i += PICKUP_RATE_PER_S) perSecond.push(percentile(toCompletion.slice(i, i + PICKUP_RATE_PER_S), 50).toFixed(1));
    log(`  p50 of each second, in order: ${perSecond.join(" ")}`);
    return { p50: percentile(toCompletion, 50), p95: percentile(toCompletion, 95) };
  } finally {
    await worker.stop();
  }
}

async function benchRecovery(sql: Sql, databaseUrl: string): Promise<number> {
  log(`\n== recovery: two workers (${SLOW_WORKER_SCRIPT}, default settings), SIGKILL the one running a job`);
  await resetQueue(sql);
  const workers = [0, 1].map((i) =>
    spawnWorker({
      label: `slow worker ${i + 1}`,
      script: SLOW_WORKER_SCRIPT,
      env: workerEnv(databaseUrl),
      stdinLifeline: true,
      onStderrLine: (line) => log(`  [slow worker ${i + 1}] ${line}`),
    }),
  );
  try {
    const ready = await Promise.all(workers.map((worker) => worker.waitForLine(/^ready (\S+) (\d+)$/, WORKER_READY_TIMEOUT_MS)));
    const workerIds = ready.map((match) => match[1]!);
    await sleep(500);
    const clock = await calibrateClock(sql);

    const [job] = await enqueueJobs(sql, [{ kind: "noop", payload: { label: "hold" } }]);
    const jobId = job!.jobId;
    const startLine = new RegExp(`^start ${jobId} 1$`);
    const holder = await Promise.any(workers.map(async (worker, i) => (await worker.waitForLine(startLine, 10_000), i)));
    const [claimed] = await sql<{ status: string; lease_owner: string | null; started_ms: number }[]>`
      select status, lease_owner, extract(epoch from started_at)::float8 * 1000 as started_ms from grading_jobs where id = ${jobId}
    `;
    if (claimed?.status !== "processing" || claimed.lease_owner !== workerIds[holder]) {
      throw new Error(`job ${jobId} should be processing under ${workerIds[holder]}: ${JSON.stringify(claimed)}`);
    }
    const victim = workers[holder]!;
    const survivorId = workerIds[1 - holder]!;
    log(`job ${jobId} runs in ${victim.label} (pid ${victim.pid}); SIGKILL`);

    const cpu = await monitorCpu(sql, workers);
    const killedAt = clientNowMs();
    victim.crash();
    const victimApp = `gradeline-worker ${workerIds[holder]}`.slice(0, 63);
    const milestones: Record<string, number> = {};
    let reclaimed: { lease_owner: string | null; started_ms: number; attempts: number } | null = null;
    while (!reclaimed) {
      const now = clientNowMs();
      if (now - killedAt > RECOVERY_TIMEOUT_MS) throw new Error(`job ${jobId} not claimed again ${RECOVERY_TIMEOUT_MS / 1000} s after the kill`);
      const [row] = await sql<{ status: string; attempts: number; lease_owner: string | null; started_ms: number; sessions: number; registered: boolean }[]>`
        select j.status, j.attempts, j.lease_owner, extract(epoch from j.started_at)::float8 * 1000 as started_ms,
          (select count(*) from pg_stat_activity where application_name = ${victimApp})::int as sessions,
          exists (select 1 from grading_workers where worker_id = ${workerIds[holder]!}) as registered
        from grading_jobs j where j.id = ${jobId}
      `;
      const seen = (name: string) => (milestones[name] ??= clientNowMs() - killedAt);
      if (victim.hasExited) seen("victim process gone");
      if (row!.sessions === 0) seen("victim sessions gone from pg_stat_activity");
      if (!row!.registered) seen("victim unregistered (release_grading_leases)");
      if (row!.status === "pending") seen("job back to pending");
      if (row!.attempts >= 2) reclaimed = row!;
      else await sleep(5);
    }
    await cpu();
    const recoveryS = (reclaimed.started_ms - (killedAt + clock.offsetMs)) / 1000;
    for (const [name, ms] of Object.entries(milestones).sort((a, b) => a[1] - b[1])) {
      log(`  by ${(ms / 1000).toFixed(3)} s (polled): ${name}`);
    }
    if (reclaimed.lease_owner !== survivorId) throw new Error(`job ${jobId} was reclaimed by ${reclaimed.lease_owner}, not the survivor ${survivorId}`);
    log(`reclaimed by the surviving worker (attempt ${reclaimed.attempts}) ${recoveryS.toFixed(3)} s after the SIGKILL`);
    return recoveryS;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop(3_000)));
  }
}

async function main(): Promise<void> {
  const { quick, phases } = parseFlags();
  const sizes: Sizes = quick ? { jobs: 5_000, pickups: 50 } : { jobs: 20_000, pickups: 200 };
  const startedAt = clientNowMs();
  log(`queue benchmark${quick ? " (quick)" : ""}: ${sizes.jobs} jobs, ${sizes.pickups} pickups`);
  const databaseUrl = await prepareBenchDatabase();
  log(`database ${BENCH_DATABASE} recreated and migrated in ${((clientNowMs() - startedAt) / 1000).toFixed(1)} s`);

  const sql = createSql(databaseUrl, { max: 2, applicationName: "gradeline-bench" });
  try {
    const enqueueRate = phases.has("enqueue") ? await benchEnqueue(sql, sizes) : null;
    if (phases.has("drain") && !phases.has("enqueue")) await refillQueue(sql, sizes);
    const drainRate = phases.has("drain") ? await benchDrain(sql, databaseUrl, sizes, false) : null;
    if (phases.has("drain")) await refillQueue(sql, sizes);
    const drainAnalyzedRate = phases.has("drain") ? await benchDrain(sql, databaseUrl, sizes, true) : null;
    const pickup = phases.has("pickup") ? await benchPickup(sql, databaseUrl, sizes) : null;
    const recoveryS = phases.has("recovery") ? await benchRecovery(sql, databaseUrl) : null;
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
