import { beforeEach, describe, expect, it } from "vitest";
import { claimJobs, completeJobs, enqueueJobs } from "../../lib/queue";
import { freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();

beforeEach(async () => {
  await db.current.sql`delete from grading_jobs`;
});

async function claimThree(workerId: string): Promise<number[]> {
  const jobs = await enqueueJobs(db.current.sql, [
    { kind: "noop", payload: { label: "a" } },
    { kind: "noop", payload: { label: "b" } },
    { kind: "noop", payload: { label: "c" } },
  ]);
  await claimJobs(db.current.sql, { workerId, batchSize: 3 });
  return jobs.map((job) => job.jobId);
}

describe("completeJobs", () => {
  it("completes a batch in one call and returns only the ids the worker still held", async () => {
    const { sql } = db.current;
    const [kept, cancelled, taken] = await claimThree("worker-a");
    await sql`select cancel_grading_job(${cancelled!})`;
    await sql`update grading_jobs set lease_owner = 'worker-b' where id = ${taken!}`;

    const completed = await completeJobs(sql, "worker-a", [{ jobId: kept! }, { jobId: cancelled! }, { jobId: taken! }]);

    expect(completed).toEqual(new Set([kept]));
    const rows = await sql<{ id: number; status: string; lease_owner: string | null; finished: boolean }[]>`
      select id, status, lease_owner, finished_at is not null as finished from grading_jobs order by id
    `;
    expect(rows).toEqual([
      { id: kept, status: "completed", lease_owner: null, finished: true },
      { id: cancelled, status: "cancelled", lease_owner: null, finished: true },
      { id: taken, status: "processing", lease_owner: "worker-b", finished: false },
    ]);
  });

  it("stores no result for a job whose handler returned nothing", async () => {
    const { sql } = db.current;
    const ids = await claimThree("worker-a");

    await completeJobs(
      sql,
      "worker-a",
      ids.map((jobId) => ({ jobId })),
    );

    const rows = await sql<{ result: unknown }[]>`select result from grading_jobs order by id`;
    expect(rows.map((row) => row.result)).toEqual([null, null, null]);
  });

  // Regression: completeJobs once JSON.stringify'd each result and sent a jsonb[] parameter,
  // which postgres.js encoded as jsonb a second time, so the column held a JSON *string*
  // ("{\"score\":3}"). Sending the raw values as jsonb[] is not enough either: postgres.js
  // flattens an array of equal-length arrays into a 2-D jsonb[] (the third result here).
  it("stores each job's result as the JSON value the handler returned, not as a JSON string", async () => {
    const { sql } = db.current;
    const ids = await claimThree("worker-a");
    const results = [
      { score: 3, label: "good" },
      "ok",
      [
        [1, 2],
        [3, 4],
      ],
    ];

    await completeJobs(
      sql,
      "worker-a",
      ids.map((jobId, i) => ({ jobId, result: results[i] })),
    );

    const rows = await sql<{ result: unknown; type: string }[]>`
      select result, jsonb_typeof(result) as type from grading_jobs order by id
    `;
    expect(rows).toEqual([
      { result: { score: 3, label: "good" }, type: "object" },
      { result: "ok", type: "string" },
      {
        result: [
          [1, 2],
          [3, 4],
        ],
        type: "array",
      },
    ]);
  });
});
