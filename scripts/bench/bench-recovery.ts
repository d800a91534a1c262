import { setTimeout as sleep } from "node:timers/promises";
import { enqueueJobs } from "../../lib/queue";
import type { BenchRun } from "./bench-run";
import { spawnWorker } from "./children";
import { log } from "./log";
import { calibrateClock, clientNowMs } from "./measure";
import { monitorCpu } from "./monitor-cpu";
import { resetQueue } from "./queue-state";
import { WORKER_READY_TIMEOUT_MS, workerEnv } from "./spawn-cli";

const SLOW_WORKER_SCRIPT = "scripts/bench/slow-worker.ts";
/** Longer than the default 30 s lease, so a failed dead-worker detection still shows up as a (slow) number. */
const RECOVERY_TIMEOUT_MS = 60_000;

/** Two slow workers; the one running the job is SIGKILLed; returns seconds until the survivor claims it. */
export async function benchRecovery(run: BenchRun): Promise<number> {
  const { sql, databaseUrl } = run;
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

    const cpu = await monitorCpu(run, workers);
    const killedAt = clientNowMs();
    victim.crash();
    const victimApp = `gradeline-worker ${workerIds[holder]}`.slice(0, 63);
    const milestones: Record<string, number> = {};
    let reclaimed: { lease_owner: string | null; started_ms: number; attempts: number } | null = null;
    while (!reclaimed) {
      const now = clientNowMs();
      if (now - killedAt > RECOVERY_TIMEOUT_MS)
        throw new Error(`job ${jobId} not claimed again ${RECOVERY_TIMEOUT_MS / 1000} s after the kill`);
      const [row] = await sql<
        { status: string; attempts: number; lease_owner: string | null; started_ms: number; sessions: number; registered: boolean }[]
      >`
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
    if (reclaimed.lease_owner !== survivorId)
      throw new Error(`job ${jobId} was reclaimed by ${reclaimed.lease_owner}, not the survivor ${survivorId}`);
    log(`reclaimed by the surviving worker (attempt ${reclaimed.attempts}) ${recoveryS.toFixed(3)} s after the SIGKILL`);
    return recoveryS;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop(3_000)));
  }
}
