import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { enqueueJobs, UnknownJobKindError } from "../../lib/queue";
import { createSql } from "../../lib/db/sql";
import { countRows, freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();

describe("enqueueJobs", () => {
  it("inserts many jobs in one call and returns their ids in input order", async () => {
    const jobs = await enqueueJobs(db.current.sql, [
      { kind: "noop", payload: { label: "a" } },
      { kind: "noop", payload: { label: "b" }, priority: -1 },
      { kind: "noop", payload: {} },
    ]);
    expect(jobs.map((job) => job.inserted)).toEqual([true, true, true]);
    const rows = await db.current.sql<{ id: number; payload: { label?: string }; priority: number }[]>`
      select id, payload, priority from grading_jobs where id = any(${jobs.map((job) => job.jobId)}::bigint[]) order by id
    `;
    expect(rows.map((row) => row.payload.label)).toEqual(["a", "b", undefined]);
    expect(rows.map((row) => row.id)).toEqual(jobs.map((job) => job.jobId));
  });

  it("a second enqueue of a live dedupe key is a no-op that returns the live job's id", async () => {
    const [first] = await enqueueJobs(db.current.sql, [{ kind: "noop", payload: {}, dedupeKey: "grade:1" }]);
    const again = await enqueueJobs(db.current.sql, [
      { kind: "noop", payload: {}, dedupeKey: "grade:1" },
      { kind: "noop", payload: {}, dedupeKey: "grade:2" },
      { kind: "noop", payload: {}, dedupeKey: "grade:2" },
    ]);
    expect(again[0]).toEqual({ jobId: first!.jobId, inserted: false });
    expect(again[1]!.inserted).toBe(true);
    expect(again[2]).toEqual({ jobId: again[1]!.jobId, inserted: false });
    const [row] = await db.current.sql<{ count: number }[]>`
      select count(*)::int as count from grading_jobs where dedupe_key like 'grade:%'
    `;
    expect(row!.count).toBe(2);
  });

  it("rejects an invalid payload or unknown kind and inserts nothing", async () => {
    const before = await countRows(db.current.sql, "grading_jobs");
    await expect(
      enqueueJobs(db.current.sql, [
        { kind: "noop", payload: {} },
        { kind: "noop", payload: { label: 42 } as never },
      ]),
    ).rejects.toBeInstanceOf(ZodError);
    await expect(enqueueJobs(db.current.sql, [{ kind: "nope" as never, payload: {} }])).rejects.toBeInstanceOf(UnknownJobKindError);
    const after = await countRows(db.current.sql, "grading_jobs");
    expect(after).toBe(before);
  });

  it("enqueues inside the caller's transaction: a rollback leaves no job", async () => {
    const before = await countRows(db.current.sql, "grading_jobs");
    await expect(
      db.current.sql.begin(async (tx) => {
        await enqueueJobs(tx, [{ kind: "noop", payload: {} }]);
        throw new Error("the submission insert failed");
      }),
    ).rejects.toThrow("the submission insert failed");
    const after = await countRows(db.current.sql, "grading_jobs");
    expect(after).toBe(before);
  });
});

describe("enqueueJobs under concurrency", () => {
  it("an enqueue that waited on a concurrent transaction holding the same dedupe key returns that job's id (review finding)", async () => {
    const { sql, url } = db.current;
    const other = createSql(url, { max: 1 });
    try {
      let waiting!: Promise<Awaited<ReturnType<typeof enqueueJobs>>>;
      let holderId!: number;
      await sql.begin(async (tx) => {
        const [holder] = await enqueueJobs(tx, [{ kind: "noop", payload: {}, dedupeKey: "race:1" }]);
        holderId = holder!.jobId;
        waiting = enqueueJobs(other, [{ kind: "noop", payload: {}, dedupeKey: "race:1" }]);
        // Let the second insert reach the unique index and wait on this transaction.
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      expect(await waiting).toEqual([{ jobId: holderId, inserted: false }]);
    } finally {
      await other.end({ timeout: 5 });
    }
  });
});
