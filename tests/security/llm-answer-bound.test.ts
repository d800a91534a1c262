import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AssignmentContext } from "../../lib/assignments/assignments";
import { createOpenAiRater, InvalidLlmAnswerError } from "../../lib/grading/raters/openai-rater";
import { gradeSubmissionMaxCompletionTokens, rateLinesMaxCompletionTokens } from "../../lib/grading/raters/openai-prompts";
import type { SubmissionLine } from "../../lib/grading/schemas";
import { testRubric } from "../helpers/grading";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const assignment: AssignmentContext = {
  id: "9b1f6c0e-4a57-4d43-9a7e-2f1c3e5d7a90",
  title: "Later school start",
  prompt: "Should school start later?",
  rubric: testRubric,
  rubricVersion: 1,
};

const lines: SubmissionLine[] = ["Schools should start later.", "Teenagers need more sleep.", "Grades rise when they do."].map(
  (text, index) => ({ index, text, start: index * 40, end: index * 40 + text.length }),
);

let llm: FakeOpenAiServer;
const rater = () => createOpenAiRater({ apiKey: "test-key", baseURL: llm.url, model: "gpt-4o-mini", maxRetries: 0 });

beforeAll(async () => {
  llm = await startFakeOpenAiServer();
});
afterEach(() => {
  llm.setFaults(null);
  llm.resetStats();
});
afterAll(async () => {
  await llm?.close();
});

describe("every LLM call bounds its answer with max_completion_tokens (#9)", () => {
  it("rate_lines and grade_submission calls send a bound sized to their answer, with room to spare for a normal answer", async () => {
    const { ratings } = await rater().rateLines(lines, { assignment });
    await rater().gradeSubmission({ assignment, lines, ratings });

    const [rate, grade] = llm.requests;
    // Before, no bound was sent (null here): an answer could run to the model's own limit, billed in full.
    expect(rate).toMatchObject({ kind: "rate_lines", maxCompletionTokens: rateLinesMaxCompletionTokens(3), status: 200 });
    expect(grade).toMatchObject({ kind: "grade_submission", maxCompletionTokens: gradeSubmissionMaxCompletionTokens(testRubric) });
    console.log(
      `max_completion_tokens: rate_lines of 3 lines ${rate!.maxCompletionTokens} (answer used ${rate!.completionTokens}), ` +
        `rate_lines of 5 lines ${rateLinesMaxCompletionTokens(5)}, grade of 2 criteria ${grade!.maxCompletionTokens} (used ${grade!.completionTokens})`,
    );
    expect(rate!.completionTokens * 3).toBeLessThan(rate!.maxCompletionTokens!);
    expect(grade!.completionTokens * 3).toBeLessThan(grade!.maxCompletionTokens!);
  });

  it("a model that rambles is cut off at the bound: the attempt fails, billed for no more than the bound", async () => {
    llm.setFaults({ schedule: ["runaway"] });
    const error = await rater()
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidLlmAnswerError);
    expect((error as InvalidLlmAnswerError).message).toMatch(/cut off at its token limit/);
    // Without the bound the fake (like a model) wrote its 200,000-character comment out: some 50,000 tokens.
    expect((error as InvalidLlmAnswerError).usage.completionTokens).toBeLessThanOrEqual(rateLinesMaxCompletionTokens(3));
  });
});
