import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import type { Rater } from "../../lib/grading/raters/rater";
import { claimJobs } from "../../lib/queue/claim-jobs";
import { completeJobs } from "../../lib/queue/complete-jobs";
import { drainQueue } from "../../lib/queue/drain-queue";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
let llm: FakeOpenAiServer;
let rater: Rater;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: 1 });
  rater = createOpenAiRater({ apiKey: "test-key", baseURL: llm.url, model: "gpt-4o-mini" });
});
afterAll(async () => {
  await llm.close();
});

/** "A:5" for the rate_lines job of submission A that starts at line 5. */
function chunkName(names: Map<string, string>, payload: unknown): string {
  const { submissionId, lineIndexes } = payload as { submissionId: string; lineIndexes: number[] };
  return `${names.get(submissionId)}:${lineIndexes[0]}`;
}

describe("first lines of a new essay", () => {
  it("a new essay's first chunk is claimed before another essay's backlog of later chunks (#7)", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const a = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Ann", text: makeEssay(15, "backlog") },
      { rater: identityOnlyRater },
    );
    const names = new Map([[a.id, "A"]]);
    // A worker takes A's first chunk; A's lines 5–14 wait in the queue.
    const [first] = await claimJobs(sql, { workerId: "worker-1", batchSize: 1, kinds: ["rate_lines"] });
    expect(chunkName(names, first!.payload)).toBe("A:0");
    await completeJobs(sql, "worker-1", [{ jobId: first!.id }]);

    const b = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Ben", text: makeEssay(10, "newcomer") },
      { rater: identityOnlyRater },
    );
    names.set(b.id, "B");
    const order: string[] = [];
    for (;;) {
      const [job] = await claimJobs(sql, { workerId: "worker-1", batchSize: 1, kinds: ["rate_lines"] });
      if (!job) break;
      order.push(chunkName(names, job.payload));
      await completeJobs(sql, "worker-1", [{ jobId: job.id }]);
    }
    // B's first lines jump ahead; after them, oldest first.
    expect(order).toEqual(["B:0", "A:5", "A:10", "B:5"]);
  });

  it("one worker rates every essay's first lines before any essay's later lines (#7)", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const ann = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ann", text: makeEssay(15, "ann") }, { rater });
    const ben = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ben", text: makeEssay(10, "ben") }, { rater });
    const names = new Map([
      [ann.id, "Ann"],
      [ben.id, "Ben"],
    ]);
    const started: string[] = [];
    await drainQueue({
      sql,
      tasks: createAppTasks(rater),
      timeBudgetMs: 30_000,
      concurrency: 1,
      onEvent: (event) => {
        if (event.type === "job:start" && event.job.kind === "rate_lines") started.push(chunkName(names, event.job.payload));
      },
    });
    expect(started).toEqual(["Ann:0", "Ben:0", "Ann:5", "Ann:10", "Ben:5"]);
    // The LLM saw the lines in that order too.
    const firstLines = llm.requests.filter((request) => request.kind === "rate_lines").map((request) => request.lineTexts[0]!);
    expect(firstLines.map((text) => text.split(":")[0])).toEqual([
      "Point ann-0",
      "Point ben-0",
      "Point ann-5",
      "Point ann-10",
      "Point ben-5",
    ]);
  });
});
