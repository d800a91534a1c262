import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ensureDraining } from "../../lib/queue/ensure-draining";
import { defineTask } from "../../lib/queue/job-kinds";
import { freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();
const tasks = { slow_noop: defineTask({ payload: z.object({}), maxAttempts: 3, handle: () => sleep(200) }) };

async function enqueueSlowNoop(): Promise<number> {
  const [row] = await db.current.sql<{ job_id: number }[]>`select job_id from enqueue_grading_jobs('[{"kind":"slow_noop"}]'::jsonb)`;
  return row!.job_id;
}

describe("ensureDraining (the enqueuing request's drain)", () => {
  it("a request arriving near the end of a running drain gets its jobs run within its own budget", async () => {
    const sql = db.current.sql;
    // Two seconds of work for a drain whose budget lets it claim for about one and a half.
    const first: number[] = [];
    for (let i = 0; i < 20; i++) first.push(await enqueueSlowNoop());
    const firstDrain = ensureDraining({ sql, tasks, timeBudgetMs: 2_500, concurrency: 2 });
    await sleep(1_200);
    const late = await enqueueSlowNoop();
    const lateDrain = ensureDraining({ sql, tasks, timeBudgetMs: 10_000, concurrency: 2 });
    await Promise.all([firstDrain, lateDrain]);
    const statuses = await sql<{ status: string }[]>`select status from grading_jobs where id = any(${[...first, late]}::bigint[])`;
    expect(statuses.map((row) => row.status)).toEqual(Array(21).fill("completed"));
  });
});
