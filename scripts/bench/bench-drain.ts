import { setTimeout as sleep } from "node:timers/promises";
import type { Sql } from "../../lib/db/sql";
import type { BenchRun } from "./bench-run";
import { clearStatus, isInteractive, log, status } from "./log";
import { clientNowMs } from "./measure";
import { monitorCpu } from "./monitor-cpu";
import { countStatisticsRows, queueState } from "./queue-state";
import { CLI_SCRIPT, spawnCli } from "./spawn-cli";

const DRAIN_POLL_MS = 20;
const DRAIN_TIMEOUT_MS = 180_000;

/** The N pending jobs drained by one CLI worker (--concurrency 10), timed on the database clock; returns jobs per second. */
export async function benchDrain(run: BenchRun, analyzed: boolean): Promise<number> {
  const { sql, databaseUrl } = run;
  const total = run.sizes.jobs;
  log(`\n== drain${analyzed ? " analysed" : ""}: ${total} pending noop jobs, one worker process (${CLI_SCRIPT} --concurrency 10)`);
  const before = await queueState(sql);
  if (before.pending !== total) throw new Error(`expected ${total} pending jobs before the drain, found ${before.pending}`);
  if (analyzed) {
    await sql`analyze grading_jobs`;
    log(`analyze grading_jobs: ${await countStatisticsRows(sql)} pg_statistic rows`);
  } else if ((await countStatisticsRows(sql)) > 0) {
    throw new Error("grading_jobs has statistics before the unanalysed drain; the database should be fresh");
  }

  const worker = spawnCli("drain worker", databaseUrl, ["--concurrency", "10"]);
  try {
    const cpu = await monitorCpu(run, [worker]);
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
      if (doneAt !== null || polledAt - lastStatusAt >= (isInteractive ? 100 : 500)) {
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
    if (!analyzed && (await countStatisticsRows(sql)) > 0) throw new Error("grading_jobs was analysed during the unanalysed drain");
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
  log(
    `  completions: ${completions!.statements} statements, jobs per statement mean ${f(completions!.mean)} p50 ${completions!.p50} max ${completions!.max}`,
  );
  log(`  claim → completion per job: p50 ${f(span!.claim_to_done_p50)} ms, p95 ${f(span!.claim_to_done_p95)} ms`);
  const tenthMs = span!.ms / 10;
  log(`  jobs/s per tenth of the drain: ${tenths.map((t) => ((t.jobs * 1000) / tenthMs).toFixed(0)).join(" ")}`);
}
