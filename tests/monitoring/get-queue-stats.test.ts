import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "../../lib/db/sql";
import { getMonitoringStats } from "../../lib/monitoring/get-queue-stats";
import { monitoringStatsSchema } from "../../lib/monitoring/monitoring-stats-schema";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment } from "../helpers/grading";

const db = freshDatabasePerFile();

/** Enqueues through the queue's own function and returns the ids in order. */
async function enqueue(sql: Sql, jobs: Array<{ kind: string; payload?: unknown; run_at?: string }>): Promise<number[]> {
  const rows = await sql<{ job_id: number }[]>`select job_id from enqueue_grading_jobs(${sql.json(jobs as never)})`;
  return rows.map((row) => row.job_id);
}

/** Time is a row: a finished job's status and finished_at, set directly. */
async function finishJob(
  sql: Sql,
  id: number,
  status: "completed" | "failed" | "cancelled",
  finishedAgo: string,
  lastError: string | null = null,
) {
  await sql`
    update grading_jobs set status = ${status}, finished_at = now() - ${finishedAgo}::interval,
      last_error = ${lastError}, attempts = case when ${status} = 'failed' then max_attempts else 1 end
    where id = ${id}
  `;
}

async function leaseJob(sql: Sql, id: number, owner: string) {
  await sql`
    update grading_jobs set status = 'processing', lease_owner = ${owner}, lease_expires_at = now() + interval '30 seconds',
      attempts = 1, started_at = now()
    where id = ${id}
  `;
}

describe("getMonitoringStats on an empty database", () => {
  it("reports zeros, no oldest job, no hit rate and 60 empty minutes", async () => {
    const stats = await getMonitoringStats(db.current.sql);
    expect(monitoringStatsSchema.parse(stats)).toEqual(stats);
    expect(stats.queue).toEqual({
      byStatus: { runnable: 0, delayed: 0, processing: 0, failed: 0, completed: 0, cancelled: 0 },
      byKind: [],
      oldestPendingAgeSeconds: null,
    });
    expect(stats.throughput).toHaveLength(60);
    expect(stats.throughput.every((bucket) => bucket.completed === 0 && bucket.failed === 0)).toBe(true);
    expect(stats.recentFailures).toEqual([]);
    expect(stats.cache).toEqual({ last24h: { ratings: 0, fromCache: 0, hitRate: null }, phraseCache: { entries: 0, totalHits: 0 } });
    const zero = {
      calls: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      unanswered: 0,
      estimatedPromptTokens: 0,
      estimatedCostUsd: 0,
    };
    expect(stats.llm).toEqual({ last24h: zero, allTime: zero, byModel: [] });
    expect(stats.workers).toEqual([]);
  });
});

describe("getMonitoringStats with jobs, ratings and LLM calls", () => {
  const failedSubmissionId = randomUUID();
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    const sql = db.current.sql;
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const jobs: Array<[name: string, job: { kind: string; payload?: unknown; run_at?: string }]> = [
      ["oldRunnable", { kind: "noop" }],
      ["newRunnable", { kind: "noop" }],
      ["delayed", { kind: "rate_lines", payload: { submissionId: randomUUID(), lineIndexes: [0] }, run_at: inAnHour }],
      ["leasedA", { kind: "rate_lines", payload: { submissionId: randomUUID(), lineIndexes: [0] } }],
      ["leasedDrain", { kind: "rate_lines", payload: { submissionId: randomUUID(), lineIndexes: [1] } }],
      ["completedRecent", { kind: "noop" }],
      ["completedOld", { kind: "grade_submission", payload: { submissionId: randomUUID() } }],
      ["completedNow", { kind: "rate_lines", payload: { submissionId: randomUUID(), lineIndexes: [2] } }],
      ["failedRecent", { kind: "rate_lines", payload: { submissionId: failedSubmissionId, lineIndexes: [0, 1] } }],
      ["failedOlder", { kind: "noop" }],
      ["cancelled", { kind: "noop" }],
    ];
    const jobIds = await enqueue(
      sql,
      jobs.map(([, job]) => job),
    );
    jobs.forEach(([name], i) => (ids[name] = jobIds[i]!));
    await sql`update grading_jobs set run_at = now() - interval '90 seconds' where id = ${ids.oldRunnable!}`;
    await leaseJob(sql, ids.leasedA!, "lab-pc-01-4242-a1b2c3");
    await leaseJob(sql, ids.leasedDrain!, "drain-lab-pc-01-77-0f0f0f");
    await finishJob(sql, ids.completedRecent!, "completed", "10 minutes");
    await finishJob(sql, ids.completedOld!, "completed", "2 hours");
    await finishJob(sql, ids.completedNow!, "completed", "0 seconds");
    await finishJob(sql, ids.failedRecent!, "failed", "5 minutes", "LLM answered 500 five times");
    await finishJob(sql, ids.failedOlder!, "failed", "20 minutes", "NonRetriableJobError: bad payload");
    await finishJob(sql, ids.cancelled!, "cancelled", "1 minute");

    await sql`
      insert into grading_workers (worker_id, application_name, hostname, started_at, last_seen_at) values
        ('lab-pc-01-4242-a1b2c3', 'gradeline-worker-a', 'lab-pc-01', now() - interval '1 hour', now()),
        ('worker-idle', 'gradeline-worker-idle', 'host-2', now() - interval '5 minutes', now())
    `;

    // Ratings: four in the last day (one from the cache), one older from the cache that must not count.
    const assignment = await createTestAssignment(sql);
    const submissionId = randomUUID();
    await sql`insert into submissions (id, assignment_id, body, line_count) values (${submissionId}, ${assignment.id}, 'a\nb\nc\nd\ne', 5)`;
    await sql`
      insert into submission_lines (submission_id, line_index, body, start_offset, end_offset)
      select ${submissionId}::uuid, i, 'line', 0, 4 from generate_series(0, 4) i
    `;
    await sql`
      insert into line_ratings (submission_id, line_index, score, label, rater, from_cache, created_at) values
        (${submissionId}, 0, 3, 'ok', 'local', true, now()),
        (${submissionId}, 1, 3, 'ok', 'local', false, now()),
        (${submissionId}, 2, 3, 'ok', 'local', false, now() - interval '23 hours'),
        (${submissionId}, 3, 3, 'ok', 'local', false, now()),
        (${submissionId}, 4, 3, 'ok', 'local', true, now() - interval '2 days')
    `;
    await sql`
      insert into phrase_cache (cache_key, normalized_text, rating, rater, hit_count) values
        ('k1', 'first', '{}', 'local', 3), ('k2', 'second', '{}', 'local', 4)
    `;
    await sql`
      insert into llm_calls (purpose, rater, model, prompt_tokens, completion_tokens, cost_usd, created_at) values
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 100, 10, 0.0012, now()),
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 200, 20, 0.0030, now() - interval '1 hour'),
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 1000, 100, 0.5, now() - interval '3 days'),
        ('grade_submission', 'openai:gpt-4o', 'gpt-4o', 50, 5, 0.01, now())
    `;
    // Requests without an answer: one in flight (or lost with its worker), one that timed
    // out three days ago; and a 429, which came back without tokens.
    await sql`
      insert into llm_calls (purpose, rater, model, status, http_status, prompt_tokens_estimate, cost_usd_estimate, created_at) values
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 'sent', null, 400, 0.00006, now()),
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 'no_answer', null, 500, 0.000075, now() - interval '3 days'),
        ('rate_lines', 'openai:gpt-4o-mini', 'gpt-4o-mini', 'failed', 429, 400, 0.00006, now())
    `;
  });

  it("counts jobs by status and by kind, runnable pending apart from delayed", async () => {
    const { queue } = await getMonitoringStats(db.current.sql);
    expect(queue.byStatus).toEqual({ runnable: 2, delayed: 1, processing: 2, failed: 2, completed: 3, cancelled: 1 });
    expect(queue.byKind).toEqual([
      { kind: "grade_submission", runnable: 0, delayed: 0, processing: 0, failed: 0, completed: 1, cancelled: 0 },
      { kind: "noop", runnable: 2, delayed: 0, processing: 0, failed: 1, completed: 1, cancelled: 1 },
      { kind: "rate_lines", runnable: 0, delayed: 1, processing: 2, failed: 1, completed: 1, cancelled: 0 },
    ]);
  });

  it("ages the oldest runnable job from when it became due, ignoring delayed ones", async () => {
    const { queue } = await getMonitoringStats(db.current.sql);
    expect(queue.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(queue.oldestPendingAgeSeconds).toBeLessThan(150);
  });

  it("buckets completions and failures of the last hour by minute, 60 buckets ending now", async () => {
    const sql = db.current.sql;
    const { throughput } = await getMonitoringStats(sql);
    expect(throughput).toHaveLength(60);
    const minutes = throughput.map((bucket) => Date.parse(bucket.minute));
    expect(minutes.slice(1).every((minute, i) => minute - minutes[i]! === 60_000)).toBe(true);
    const [clock] = await sql<{ current: Date }[]>`select date_trunc('minute', now()) as current`;
    expect(minutes.at(-1)).toBe(clock!.current.getTime());

    const [finished] = await sql<
      { minute: Date }[]
    >`select date_trunc('minute', finished_at) as minute from grading_jobs where id = ${ids.completedRecent!}`;
    const bucket = throughput.find((b) => Date.parse(b.minute) === finished!.minute.getTime());
    expect(bucket).toMatchObject({ completed: 1 });
    // The job finished two hours ago and the cancelled one are left out.
    expect(throughput.reduce((sum, b) => sum + b.completed, 0)).toBe(2);
    expect(throughput.reduce((sum, b) => sum + b.failed, 0)).toBe(2);
  });

  it("lists failures newest first with their error and submission", async () => {
    const { recentFailures } = await getMonitoringStats(db.current.sql);
    expect(recentFailures.map(({ finishedAt: _finishedAt, ...rest }) => rest)).toEqual([
      {
        id: ids.failedRecent,
        kind: "rate_lines",
        attempts: 5,
        maxAttempts: 5,
        lastError: "LLM answered 500 five times",
        submissionId: failedSubmissionId,
      },
      {
        id: ids.failedOlder,
        kind: "noop",
        attempts: 5,
        maxAttempts: 5,
        lastError: "NonRetriableJobError: bad payload",
        submissionId: null,
      },
    ]);
    expect(Date.parse(recentFailures[0]!.finishedAt!)).toBeGreaterThan(Date.parse(recentFailures[1]!.finishedAt!));
  });

  it("computes the 24-hour cache hit rate of line ratings and the phrase cache's size and hits", async () => {
    const { cache } = await getMonitoringStats(db.current.sql);
    expect(cache).toEqual({ last24h: { ratings: 4, fromCache: 1, hitRate: 0.25 }, phraseCache: { entries: 2, totalHits: 7 } });
  });

  it("sums LLM calls, tokens and cost over 24 hours and all time, per model", async () => {
    const { llm } = await getMonitoringStats(db.current.sql);
    expect(llm.last24h).toMatchObject({ calls: 5, promptTokens: 350, completionTokens: 35 });
    expect(llm.last24h.costUsd).toBeCloseTo(0.0142, 10);
    expect(llm.allTime).toMatchObject({ calls: 7, promptTokens: 1350, completionTokens: 135 });
    expect(llm.allTime.costUsd).toBeCloseTo(0.5142, 10);
    expect(llm.byModel.map((row) => row.model)).toEqual(["gpt-4o", "gpt-4o-mini"]);
    const mini = llm.byModel.find((row) => row.model === "gpt-4o-mini")!;
    expect(mini.last24h).toMatchObject({ calls: 4, promptTokens: 300, completionTokens: 30, costUsd: 0.0042 });
    expect(mini.allTime).toMatchObject({ calls: 6, promptTokens: 1300, completionTokens: 130, costUsd: 0.5042 });
  });

  it("counts requests that got no answer as calls, their prompts' estimated tokens and cost kept apart (#7)", async () => {
    const { llm } = await getMonitoringStats(db.current.sql);
    expect(llm.last24h).toMatchObject({ unanswered: 1, estimatedPromptTokens: 400 });
    expect(llm.last24h.estimatedCostUsd).toBeCloseTo(0.00006, 10);
    expect(llm.allTime).toMatchObject({ unanswered: 2, estimatedPromptTokens: 900 });
    expect(llm.allTime.estimatedCostUsd).toBeCloseTo(0.000135, 10);
    const gpt4o = llm.byModel.find((row) => row.model === "gpt-4o")!;
    expect(gpt4o.allTime).toMatchObject({ calls: 1, unanswered: 0, estimatedPromptTokens: 0, estimatedCostUsd: 0 });
  });

  it("lists registered workers with the jobs they hold, and unregistered lease holders", async () => {
    const { workers } = await getMonitoringStats(db.current.sql);
    expect(workers.map(({ startedAt: _s, lastSeenAt: _l, ...rest }) => rest)).toEqual([
      { workerId: "4242-a1b2c3", registered: true, processingJobs: 1 },
      { workerId: expect.stringMatching(/^#[0-9a-f]{8}$/), registered: true, processingJobs: 0 },
      { workerId: "drain-77-0f0f0f", registered: false, processingJobs: 1 },
    ]);
    // /monitor is open to every visitor: no host name reaches it (#9).
    expect(JSON.stringify(workers)).not.toMatch(/lab-pc-01|host-2|worker-idle/);
    expect(workers[2]!.startedAt).toBeNull();
  });

  it("returns JSON that matches the exported schema", async () => {
    const stats = await getMonitoringStats(db.current.sql);
    expect(monitoringStatsSchema.parse(JSON.parse(JSON.stringify(stats)))).toEqual(stats);
  });
});

describe("recent failures", () => {
  it("are capped at 50, newest first", async () => {
    const sql = db.current.sql;
    const ids = await enqueue(
      sql,
      Array.from({ length: 60 }, () => ({ kind: "noop" })),
    );
    await sql`
      update grading_jobs set status = 'failed', last_error = 'boom', finished_at = now() - make_interval(secs => id)
      where id = any(${ids}::bigint[])
    `;
    const { recentFailures } = await getMonitoringStats(sql);
    expect(recentFailures).toHaveLength(50);
    // Smaller id → finished more recently; the newest of all is the first of these 60.
    expect(recentFailures[0]!.id).toBe(ids[0]);
    const times = recentFailures.map((failure) => Date.parse(failure.finishedAt!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
