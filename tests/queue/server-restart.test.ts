import { chmod, mkdtemp, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseIfMissing } from "../../lib/db/database-url";
import { ensureEmbeddedPostgres, stopEmbeddedPostgres } from "../../lib/db/embedded";
import { applyMigrations } from "../../lib/db/migrate";
import { createSql, type Sql } from "../../lib/db/sql";
import { claimJobs, defineTask, enqueueJobs, queueJobKinds, workerApplicationName, type TaskRegistry } from "../../lib/queue";
import { registerWorker } from "../../lib/queue/job-leases";
import { freePort } from "../helpers/next-server";
import { createGate, sleep, workersStoppedAfterEach, waitFor, waitForGate } from "../helpers/workers";

/**
 * A Postgres server of this file's own, so it can be crashed and restarted without
 * touching the shared test server. In /tmp: the postgres user must be able to reach it.
 */
let serverRoot: string;
let url: string;
let sql: Sql;
const gate = createGate();
const holdUntilGate: TaskRegistry = {
  noop: defineTask({ ...queueJobKinds.noop, handle: (_payload, { signal }) => waitForGate(gate, signal) }),
};
const workers = workersStoppedAfterEach(() => url);

beforeAll(async () => {
  serverRoot = await mkdtemp("/tmp/gradeline-restart-test-");
  await chmod(serverRoot, 0o755); // mkdtemp makes it 0700, which the postgres user could not enter

  const server = await ensureEmbeddedPostgres(serverRoot, await freePort());
  await createDatabaseIfMissing(server.adminUrl, "gradeline");
  url = server.urlFor("gradeline");
  await applyMigrations(url);
  sql = createSql(url, { max: 2 });
}, 120_000);

afterAll(async () => {
  gate.open();
  await sql?.end({ timeout: 5 });
  await stopEmbeddedPostgres(serverRoot, { immediate: true }).catch(() => false);
  await rm(serverRoot, { recursive: true, force: true });
});

interface Holder {
  workerId: string;
  sql: Sql;
}

/**
 * A live worker that is slow to reconnect after the server comes back (the issue saw up to
 * 12 s): registered by the sessions of its own pool, holding leased jobs, which it only
 * touches when the test says it is back.
 */
async function slowReconnectingWorker(workerId: string, jobs: number): Promise<Holder & { jobIds: number[] }> {
  const holderSql = createSql(url, { max: 1, applicationName: workerApplicationName(workerId) });
  expect(await registerWorker(holderSql, workerId, "test")).toBe(true);
  await enqueueJobs(
    sql,
    Array.from({ length: jobs }, (_, i) => ({ kind: "noop" as const, payload: { label: `${workerId}-${i}` } })),
    holdUntilGate,
  );
  const claimed = await claimJobs(holderSql, { workerId, batchSize: jobs, leaseMs: 120_000 });
  expect(claimed).toHaveLength(jobs);
  return { workerId, sql: holderSql, jobIds: claimed.map((job) => job.id) };
}

async function leasesHeldBy(workerId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from grading_jobs where status = 'processing' and lease_owner = ${workerId} and attempts = 1
  `;
  return row!.n;
}

async function isRegistered(workerId: string): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from grading_workers where worker_id = ${workerId}`;
  return row!.n === 1;
}

/** Waits until the server answers again (our pool reconnects on demand). */
async function waitForServer(): Promise<void> {
  await waitFor(
    "the server to accept connections",
    () =>
      sql`select 1`.then(
        () => true,
        () => false,
      ),
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

/**
 * For `watchMs` after the server is back, a live worker (`fast`, a real runWorker that
 * releases dead workers' jobs every second) and a slow-to-reconnect one must both keep
 * every lease. The slow one reconnects `slowReconnectMs` in.
 */
async function expectNoLeaseLost(crash: () => Promise<void>, { slowReconnectMs, watchMs }: { slowReconnectMs: number; watchMs: number }) {
  const fast = await workers.start({ tasks: holdUntilGate, concurrency: 2, leaseMs: 120_000, pollIntervalMs: 200, shutdownTimeoutMs: 500 });
  await enqueueJobs(
    sql,
    [
      { kind: "noop", payload: { label: "fast-0" } },
      { kind: "noop", payload: { label: "fast-1" } },
    ],
    holdUntilGate,
  );
  await waitFor("the fast worker to run its two jobs", () => fast.runningCount === 2, { timeoutMs: 10_000 });
  const slow = await slowReconnectingWorker(`slow-${Date.now()}`, 3);
  try {
    await crash();
    await waitForServer();
    const backAt = Date.now();
    let slowBack = false;
    while (Date.now() - backAt < watchMs) {
      if (!slowBack && Date.now() - backAt >= slowReconnectMs) {
        // Back: the worker's pool reconnects and it marks itself seen, as its release timer does.
        await slow.sql`select release_grading_leases(${slow.workerId})`;
        slowBack = true;
      }
      expect(await leasesHeldBy(slow.workerId), "the slow worker's leases").toBe(3);
      expect(await leasesHeldBy(fast.workerId), "the fast worker's leases").toBe(2);
      await sleep(250);
    }
    expect(await isRegistered(slow.workerId)).toBe(true);
    expect(fast.stats.lost).toBe(0);
  } finally {
    await fast.stop().catch(() => undefined);
    await slow.sql.end({ timeout: 5 });
    await sql`delete from grading_jobs`;
    await sql`delete from grading_workers`;
  }
}

describe("dead-worker detection across a database restart", () => {
  it("after a 6 s crash and restart, no live worker loses a lease, even one that takes 5 s to reconnect (#7)", async () => {
    await expectNoLeaseLost(
      async () => {
        await stopEmbeddedPostgres(serverRoot, { immediate: true });
        await sleep(6_000);
        await ensureEmbeddedPostgres(serverRoot, Number(new URL(url).port));
      },
      { slowReconnectMs: 5_000, watchMs: 8_000 },
    );
  }, 90_000);

  it("after a backend crash (the postmaster restarts everything in place), no live worker loses a lease (#7)", async () => {
    await expectNoLeaseLost(
      async () => {
        const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
        process.kill(row!.pid, "SIGKILL"); // every backend is reset, as after any backend crash
      },
      { slowReconnectMs: 5_000, watchMs: 8_000 },
    );
  }, 90_000);

  it("a worker that is really gone is still released within seconds once the server has been up a while (#7)", async () => {
    const gone = await slowReconnectingWorker(`gone-${Date.now()}`, 2);
    await gone.sql.end({ timeout: 5 }); // its sessions vanish, as when its process is killed
    await sql`update grading_workers set last_seen_at = now() - interval '1 minute' where worker_id = ${gone.workerId}`;
    const [started] = await sql<{ up_s: number }[]>`select extract(epoch from now() - private.grading_server_started_at())::float8 as up_s`;
    if (started!.up_s < 10) await sleep((10 - started!.up_s) * 1000 + 200);
    await sql`select release_grading_leases(null)`;
    expect(await leasesHeldBy(gone.workerId)).toBe(0);
    expect(await isRegistered(gone.workerId)).toBe(false);
    const [requeued] = await sql<{ n: number }[]>`select count(*)::int as n from grading_jobs where status = 'pending'`;
    expect(requeued!.n).toBe(2);
  }, 60_000);
});
