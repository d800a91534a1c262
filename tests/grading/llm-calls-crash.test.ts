import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { getAssignmentContext } from "../../lib/assignments/assignments";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import { billLlmCall } from "../../lib/grading/record-llm-call";
import { getLlmUsage } from "../../lib/monitoring/get-llm-usage";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";
import { waitFor } from "../helpers/workers";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const db = freshDatabasePerFile();
const root = path.resolve(import.meta.dirname, "../..");
let llm: FakeOpenAiServer;
let worker: ChildProcess | null = null;

beforeAll(async () => {
  // The first two requests are answered at once; every later one hangs for two minutes.
  llm = await startFakeOpenAiServer({ faults: { schedule: [null, null], rates: { slow: 1 }, slowMs: 120_000 } });
});
afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker!.once("exit", resolve));
    worker.kill("SIGKILL");
    await exited;
  }
  await llm?.close();
});

/**
 * The real worker CLI as its own OS process: `node --import tsx` rather than the tsx CLI,
 * so the pid we SIGKILL is the worker itself, not a wrapper whose child would live on.
 */
async function startWorker(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/process-grading-jobs.ts", "--concurrency", "3"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    "the worker to start",
    () => {
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}:\n${output}`);
      return output.includes("Ctrl-C to stop");
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  return { child, output: () => output };
}

interface CallRow {
  status: string;
  job_id: number | null;
  submission_id: string | null;
  purpose: string;
  model: string;
  attempt: number;
  prompt_tokens: number;
  prompt_tokens_estimate: number | null;
  answered_at: Date | null;
}

describe("LLM calls cut off by a crash (#7)", () => {
  it("every request the LLM received from a SIGKILLed worker is in llm_calls, the unanswered ones as sent (#7)", async () => {
    const { sql } = db.current;
    const assignment = await createTestAssignment(sql);
    const submissions = [];
    for (const name of ["Ada", "Bo"]) {
      // Fifteen lines each: three rate_lines jobs per essay, six in all.
      submissions.push(
        await createSubmission(
          sql,
          { assignmentId: assignment.id, studentName: name, text: makeEssay(15, `crash-${name}`) },
          { rater: identityOnlyRater },
        ),
      );
    }
    const started = await startWorker({
      DATABASE_URL: db.current.url,
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: llm.url,
      OPENAI_MODEL: "gpt-4o-mini",
    });
    worker = started.child;

    // Two answered and recorded, three more on the wire, hanging.
    await waitFor(
      "two answers recorded and three requests in flight",
      async () => {
        const [answered] = await sql<{ count: number }[]>`select count(*)::int as count from llm_calls where status = 'answered'`;
        return answered!.count === 2 && llm.requests.filter((request) => request.status === null).length === 3;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const exited = new Promise((resolve) => worker!.once("exit", resolve));
    worker.kill("SIGKILL");
    await exited;

    const received = llm.requests;
    expect(received).toHaveLength(5);
    const rows = await sql<CallRow[]>`
      select status, job_id, submission_id, purpose, model, attempt, prompt_tokens, prompt_tokens_estimate, answered_at from llm_calls order by id
    `;
    expect(rows, started.output()).toHaveLength(received.length);

    const answered = rows.filter((row) => row.status === "answered");
    expect(answered.map((row) => row.prompt_tokens).sort()).toEqual(
      received
        .filter((r) => r.status === 200)
        .map((r) => r.promptTokens)
        .sort(),
    );
    const cutOff = rows.filter((row) => row.status === "sent");
    expect(cutOff).toHaveLength(3);
    const ids = submissions.map((submission) => submission.id);
    for (const row of cutOff) {
      expect(row).toMatchObject({ purpose: "rate_lines", model: "gpt-4o-mini", attempt: 0, prompt_tokens: 0, answered_at: null });
      expect(ids).toContain(row.submission_id);
      expect(row.prompt_tokens_estimate).toBeGreaterThan(0);
    }
    // Each belongs to a job the dead worker still held (it may have claimed more than it ran).
    const held = await sql<{ id: number }[]>`select id from grading_jobs where status = 'processing' order by id`;
    expect(new Set(cutOff.map((row) => row.job_id)).size).toBe(3);
    expect(held.map((job) => job.id)).toEqual(expect.arrayContaining(cutOff.map((row) => row.job_id)));

    // The monitor counts them as calls, with their prompts' estimate shown apart.
    const usage = await getLlmUsage(sql);
    expect(usage.allTime).toMatchObject({
      calls: 5,
      unanswered: 3,
      promptTokens: answered.reduce((sum, row) => sum + row.prompt_tokens, 0),
      estimatedPromptTokens: cutOff.reduce((sum, row) => sum + row.prompt_tokens_estimate!, 0),
    });
    expect(usage.allTime.estimatedCostUsd).toBeGreaterThan(0);
  });

  it("requests that time out are on record as no_answer, one row per attempt, with their estimates (#7)", async () => {
    const { sql } = db.current;
    llm.setFaults({ rates: { slow: 1 }, slowMs: 5_000 });
    llm.resetStats();
    const rater = createOpenAiRater({ apiKey: "test-key", baseURL: llm.url, model: "gpt-4o-mini", timeoutMs: 300, maxRetries: 1 });
    const assignment = await createTestAssignment(sql);
    const submissionId = randomUUID();
    const lines = [{ index: 0, text: "Later starts help.", start: 0, end: 18 }];
    const context = { raterId: rater.id, purpose: "rate_lines" as const, jobId: 424242, submissionId };
    const assignmentContext = (await getAssignmentContext(sql, assignment.id))!;
    await expect(
      billLlmCall(sql, context, (llmCalls) => rater.rateLines(lines, { assignment: assignmentContext, llmCalls })),
    ).rejects.toThrow();

    expect(llm.requests).toHaveLength(2); // the first attempt and the SDK's one retry
    const rows = await sql<
      { status: string; attempt: number; error: string | null; prompt_tokens_estimate: number; answered_at: Date | null }[]
    >`
      select status, attempt, error, prompt_tokens_estimate, answered_at from llm_calls where job_id = 424242 order by id
    `;
    expect(rows.map((row) => [row.status, row.attempt])).toEqual([
      ["no_answer", 0],
      ["no_answer", 1],
    ]);
    for (const row of rows) {
      expect(row.prompt_tokens_estimate).toBeGreaterThan(0);
      expect(row.answered_at).not.toBeNull();
      expect(row.error).toMatch(/abort|timed? ?out/i);
    }
  });
});
