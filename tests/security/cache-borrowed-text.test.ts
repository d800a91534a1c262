import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { essayContextFor, findBorrowedText } from "../../lib/grading/borrowed-text";
import { normalizePhrase } from "../../lib/grading/phrase-cache";
import { createLocalRater } from "../../lib/grading/raters/local-rater";
import { createOpenAiRater } from "../../lib/grading/raters/openai-rater";
import type { Rater } from "../../lib/grading/raters/rater";
import { createSubmission } from "../../lib/submissions/create-submission";
import { setLineOverride } from "../../lib/submissions/overrides";
import { getSubmissionState } from "../../lib/submissions/submission-state";
import { createAppTasks } from "../../lib/tasks";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, drainUntilSettled, testRubric } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

// Finding 3 of #9: a cached comment quoted a neighbouring line, so student B's feedback
// showed student A's "My dad lost his job…".
const db = freshDatabasePerFile();
let llm: FakeOpenAiServer;
let rater: Rater;

beforeAll(async () => {
  llm = await startFakeOpenAiServer({ latencyMs: 1 });
  rater = createOpenAiRater({ apiKey: "test-key", baseURL: llm.url, model: "gpt-4o-mini", maxRetries: 0 });
});
afterAll(async () => {
  await llm.close();
});

const essay = [
  "My dad lost his job at the Hendricks plant last spring.",
  "Because of that I started working evenings.",
  "Later school start times would help students like me.",
];
const rubricWords = [JSON.stringify(testRubric)];
const borrowed = (comment: string, suggestion: string | null, own: number) =>
  findBorrowedText(
    [comment, suggestion],
    essayContextFor(
      essay[own]!,
      essay.filter((_, i) => i !== own),
      rubricWords,
    ),
  );

describe("comments that carry another line's words (pure)", () => {
  it("finds a neighbour quoted, copied, paraphrased or named", () => {
    expect(borrowed('Unlike "My dad lost his job", this line is vague.', null, 1)).not.toBeNull();
    expect(borrowed("You said your dad lost his job; connect that here.", null, 1)).toBe("dad lost his");
    expect(borrowed("Link this to your father's job loss and the plant.", null, 2)).toBe("job, plant");
    expect(borrowed("Mention Hendricks again here.", null, 1)).toBe("hendricks");
  });

  it("lets through a comment on its own line, a one-word fix, feedback words and the rubric's words", () => {
    expect(borrowed('"My dad lost his job" is a strong, specific opening.', "Say when: 'last spring' helps.", 0)).toBeNull();
    expect(borrowed("Possible misspelling.", 'Write "because" instead of "becuase".', 2)).toBeNull();
    expect(borrowed("Give a specific example as evidence for this claim.", "Explain why later starts help.", 2)).toBeNull();
    expect(borrowed("Strong for Ideas; check Conventions.", null, 2)).toBeNull();
  });
});

/** A chat completion whose ratings the test writes: line 1's comment quotes line 0. */
function answerQuotingNeighbour(lineIndexes: number[]) {
  const ratings = lineIndexes.map((lineIndex) => ({
    lineIndex,
    criterionId: "ideas",
    comment: lineIndex === 1 ? 'This follows from "My dad lost his job at the Hendricks plant"; say how.' : "Clear and on topic.",
    suggestion: null,
    score: 3,
    label: "Developing",
  }));
  return {
    id: "chatcmpl-quoting",
    object: "chat.completion",
    created: 0,
    model: "gpt-4o-mini",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: JSON.stringify({ ratings }), refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
  };
}

describe("the phrase cache keeps no comment that borrows from another line (#9)", () => {
  it("a comment quoting a neighbouring line is not served to another student; the clean ratings of the call are", async () => {
    const sql = db.current.sql;
    const tasks = createAppTasks(rater);
    const assignment = await createTestAssignment(sql);
    llm.setFaults({ schedule: [{ status: 200, body: answerQuotingNeighbour([0, 1, 2]) }] });
    try {
      const ann = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ann", text: essay.join("\n") }, { rater });
      await drainUntilSettled(sql, tasks, [ann.id]);
      // Ann's own feedback keeps the comment: it quotes her own essay.
      expect((await getSubmissionState(sql, ann.id))!.lines[1]!.rating!.comment).toContain("My dad lost his job");
    } finally {
      llm.setFaults(null);
    }

    const ben = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ben", text: essay[1]! }, { rater });
    expect(ben.cachedLines).toBe(0);
    await drainUntilSettled(sql, tasks, [ben.id]);
    const benRating = (await getSubmissionState(sql, ben.id))!.lines[0]!.rating!;
    expect(benRating.fromCache).toBe(false);
    expect(benRating.comment).not.toMatch(/dad|Hendricks/);

    const cal = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Cal", text: essay[2]! }, { rater });
    expect(cal.cachedLines).toBe(1);
    expect((await getSubmissionState(sql, cal.id))!.lines[0]!.rating).toMatchObject({ comment: "Clear and on topic.", fromCache: true });
  });

  it("a teacher's comment that quotes the student's other lines stays on that essay", async () => {
    const sql = db.current.sql;
    const tasks = createAppTasks(rater);
    const assignment = await createTestAssignment(sql);
    const ann = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ann", text: essay.join("\n") }, { rater });
    await drainUntilSettled(sql, tasks, [ann.id]);
    const override = await setLineOverride(
      sql,
      { submissionId: ann.id, lineIndex: 1, score: 2, comment: "Tie this to your dad losing his job at Hendricks." },
      { rater },
    );
    expect(override.cached).toBe(false);
    expect((await getSubmissionState(sql, ann.id))!.lines[1]!.override).toMatchObject({ score: 2 });
    const [entry] = await sql<{ source: string }[]>`select source from phrase_cache where normalized_text = ${normalizePhrase(essay[1]!)}`;
    expect(entry?.source).toBe("rater");

    const ben = await createSubmission(sql, { assignmentId: assignment.id, studentName: "Ben", text: essay[1]! }, { rater });
    expect((await getSubmissionState(sql, ben.id))!.lines[0]!.rating!.comment).not.toMatch(/dad|Hendricks/);
  });
});

describe("the offline rater rates each line alone", () => {
  it("gives a line the same rating whatever lines are rated with it, so its comments are cached as they are", async () => {
    const local = createLocalRater();
    expect(local.ratesLinesAlone).toBe(true);
    const assignment = { id: "local", title: "Local", prompt: "", rubric: testRubric, rubricVersion: 1 };
    const target = "Their is alot of reasons to start school latter.";
    const line = (text: string, index: number) => ({ index, text, start: 0, end: text.length });
    const alone = await local.rateLines([line(target, 0)], { assignment });
    const withOthers = await local.rateLines([line(essay[0]!, 0), line(target, 1), line(essay[1]!, 2)], { assignment });
    const { lineIndex: _alone, ...aloneRating } = alone.ratings[0]!;
    const { lineIndex: _batched, ...batchedRating } = withOthers.ratings[1]!;
    expect(batchedRating).toEqual(aloneRating);
    expect(aloneRating.comment).not.toBe("");
  });
});
