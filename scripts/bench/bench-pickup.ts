import { setTimeout as sleep } from "node:timers/promises";
import { enqueueJobs } from "../../lib/queue";
import type { BenchRun } from "./bench-run";
import { clearStatus, log, status } from "./log";
import { calibrateClock, clientNowMs, percentile, summarize } from "./measure";
import { monitorCpu } from "./monitor-cpu";
import { queueState, resetQueue } from "./queue-state";
import { CLI_SCRIPT, spawnCli, waitUntilRegistered } from "./spawn-cli";

const PICKUP_RATE_PER_S = 20;

/** Jobs enqueued one at a time at 20/s to an idle CLI worker; returns enqueue → completion latency p50/p95 in ms. */
export async function benchPickup(run: BenchRun): Promise<{ p50: number; p95: number }> {
  const { sql, databaseUrl, sizes } = run;
  log(`\n== pickup: ${sizes.pickups} jobs enqueued one by one at ${PICKUP_RATE_PER_S}/s, one idle worker (${CLI_SCRIPT}, default flags)`);
  await resetQueue(sql);
  const worker = spawnCli("pickup worker", databaseUrl);
  try {
    await waitUntilRegistered(sql, worker);
    await sleep(1_000); // let its first (empty) claim and first progress query pass: we measure an idle worker
    const clock = await calibrateClock(sql);
    log(`clock offset (server − bench) ${clock.offsetMs.toFixed(3)} ms, ±${(clock.rttMs / 2).toFixed(3)} ms`);

    const cpu = await monitorCpu(run, [worker]);
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
      if (clientNowMs() > deadline)
        throw new Error(`pickup jobs not done 10 s after the last enqueue (${pending} pending, ${processing} processing)`);
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
      if (!row || row.status !== "completed" || row.attempts !== 1)
        throw new Error(`pickup job ${jobId}: ${row ? `${row.status}, attempts ${row.attempts}` : "missing"}`);
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
    for (let i = 0; i < toCompletion.length; i += PICKUP_RATE_PER_S)
      perSecond.push(percentile(toCompletion.slice(i, i + PICKUP_RATE_PER_S), 50).toFixed(1));
    log(`  p50 of each second, in order: ${perSecond.join(" ")}`);
    return { p50: percentile(toCompletion, 50), p95: percentile(toCompletion, 95) };
  } finally {
    await worker.stop();
  }
}
