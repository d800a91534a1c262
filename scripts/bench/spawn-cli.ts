import { setTimeout as sleep } from "node:timers/promises";
import type { Sql } from "../../lib/db/sql";
import { spawnWorker, type WorkerProcess } from "./children";
import { log } from "./log";
import { clientNowMs } from "./measure";

export const CLI_SCRIPT = "scripts/process-grading-jobs.ts";
export const WORKER_READY_TIMEOUT_MS = 30_000;

export function workerEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: databaseUrl };
}

/** A worker process running the real CLI; its stderr goes to ours, prefixed with its label. */
export function spawnCli(label: string, databaseUrl: string, args: string[] = []): WorkerProcess {
  return spawnWorker({
    label,
    script: CLI_SCRIPT,
    args,
    env: workerEnv(databaseUrl),
    onStderrLine: (line) => log(`  [${label}] ${line.replace(/^\S+Z /, "")}`),
  });
}

/** Waits for the worker's grading_workers row: runWorker registers it once it is LISTENing, i.e. ready. */
export async function waitUntilRegistered(sql: Sql, worker: WorkerProcess): Promise<void> {
  const deadline = clientNowMs() + WORKER_READY_TIMEOUT_MS;
  for (;;) {
    if (worker.hasExited) throw new Error(`${worker.label} exited during start-up (${await worker.exited})`);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from grading_workers`;
    if (row!.n > 0) return;
    if (clientNowMs() > deadline) throw new Error(`${worker.label} did not register within ${WORKER_READY_TIMEOUT_MS / 1000} s`);
    await sleep(50);
  }
}
