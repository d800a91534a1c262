import { createAssignment } from "../../lib/assignments/assignments";
import type { Rater } from "../../lib/grading/raters/rater";
import type { Rubric } from "../../lib/assignments/rubric";
import type { Sql } from "../../lib/db/sql";
import { drainQueue } from "../../lib/queue/drain-queue";
import type { TaskRegistry } from "../../lib/queue/job-kinds";

export const testRubric: Rubric = {
  scale: { min: 1, max: 5 },
  criteria: [
    {
      id: "ideas",
      name: "Ideas",
      description: "Claims and evidence.",
      levels: [
        { score: 1, label: "Weak", description: "" },
        { score: 5, label: "Strong", description: "" },
      ],
    },
    {
      id: "conventions",
      name: "Conventions",
      description: "Spelling and grammar.",
      levels: [
        { score: 1, label: "Weak", description: "" },
        { score: 5, label: "Strong", description: "" },
      ],
    },
  ],
};

export async function createTestAssignment(sql: Sql, rubric: Rubric = testRubric) {
  return createAssignment(sql, { title: "Later school start", prompt: "Should school start later?", rubric });
}

/** A made-up essay of `lines` distinct lines; `seed` varies the wording. */
export function makeEssay(lines: number, seed = "a"): string {
  return Array.from(
    { length: lines },
    (_, i) => `Point ${seed}-${i}: students who sleep more learn ${i % 3 === 0 ? "better" : "faster"} in class number ${i}.`,
  ).join("\n");
}

/**
 * Drains until the submission is graded or failed (retries are backed off, so one drain
 * pass may leave delayed jobs), making backed-off jobs runnable at once: time is a row here.
 */
export async function drainUntilSettled(sql: Sql, tasks: TaskRegistry, submissionIds: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await drainQueue({ sql, tasks, timeBudgetMs: 20_000, concurrency: 8 });
    const [row] = await sql<{ open: number }[]>`
      select count(*)::int as open from grading_jobs
      where status in ('pending', 'processing') and payload ->> 'submissionId' = any(${submissionIds}::text[])
    `;
    if (row!.open === 0) return;
    await sql`update grading_jobs set run_at = now() where status = 'pending' and run_at > now()`;
  }
  throw new Error(`submissions ${submissionIds.join(", ")} did not settle within ${timeoutMs} ms`);
}

/** A rater whose identity (id, version) is all a test needs: creating submissions rates nothing. */
export const identityOnlyRater: Rater = {
  id: "openai:gpt-4o-mini",
  version: "test",
  rateLines: () => Promise.reject(new Error("identityOnlyRater cannot rate")),
  gradeSubmission: () => Promise.reject(new Error("identityOnlyRater cannot grade")),
};
