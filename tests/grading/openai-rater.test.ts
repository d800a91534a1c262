import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NonRetriableJobError, RetryAfterJobError } from "../../lib/queue/errors";
import { findModelPricing } from "../../lib/grading/raters/llm-pricing";
import { createOpenAiRater, InvalidLlmAnswerError, type OpenAiRaterOptions } from "../../lib/grading/raters/openai-rater";
import { ESSAY_CONTEXT_MAX_CHARS, essayContextWindow } from "../../lib/grading/raters/openai-prompts";
import { selectRater } from "../../lib/grading/raters/select-rater";
import type { AssignmentContext } from "../../lib/assignments/assignments";
import { rubricSchema } from "../../lib/assignments/rubric";
import type { LineRating, SubmissionLine } from "../../lib/grading/schemas";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server";

const API_KEY = "sk-test-fake-key";

const assignment: AssignmentContext = {
  id: "9b1f6c0e-4a57-4d43-9a7e-2f1c3e5d7a90",
  title: "Later school start times",
  prompt: "Should high schools start later in the morning? Argue for a position using evidence.",
  rubric: rubricSchema.parse({
    scale: { min: 1, max: 5 },
    criteria: [
      {
        id: "evidence",
        name: "Evidence",
        levels: [
          { score: 1, label: "Missing" },
          { score: 3, label: "Partial" },
          { score: 5, label: "Strong" },
        ],
      },
      {
        id: "clarity",
        name: "Clarity",
        levels: [
          { score: 1, label: "Confusing" },
          { score: 3, label: "Mostly clear" },
          { score: 5, label: "Clear" },
        ],
      },
    ],
  }),
  rubricVersion: 1,
};

const lines = toLines([
  "Schools should start later because teenagers need more sleep.",
  "Studies from the CDC show that most students sleep less than eight hours.",
  "Also its good.",
]);

let server: FakeOpenAiServer;

beforeAll(async () => {
  server = await startFakeOpenAiServer({ apiKey: API_KEY });
});
afterEach(() => {
  server.setFaults(null);
  server.resetStats();
});
afterAll(async () => {
  await server.close();
});

function rater(options: Partial<OpenAiRaterOptions> = {}) {
  return createOpenAiRater({ apiKey: API_KEY, baseURL: server.url, model: "gpt-4o-mini", ...options });
}

describe("createOpenAiRater against an OpenAI-compatible server", () => {
  it("rates every line in one call and records tokens, latency and cost", async () => {
    const result = await rater().rateLines(lines, { assignment });

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ kind: "rate_lines", model: "gpt-4o-mini", status: 200 });
    expect(server.requests[0]!.lineTexts).toEqual(lines.map((line) => line.text));
    expect(result.ratings.map((rating) => rating.lineIndex)).toEqual([0, 1, 2]);
    for (const rating of result.ratings) {
      expect(rating.score).toBeGreaterThanOrEqual(1);
      expect(rating.score).toBeLessThanOrEqual(5);
      expect(["evidence", "clarity"]).toContain(rating.criterionId);
      expect(rating.comment).not.toBe("");
    }
    const usage = result.usage!;
    expect(usage).toMatchObject({ model: "gpt-4o-mini", promptTokens: server.requests[0]!.promptTokens });
    expect(usage.completionTokens).toBeGreaterThan(0);
    expect(usage.latencyMs).toBeGreaterThanOrEqual(0);
    expect(usage.costUsd).toBeGreaterThan(0);
  });

  it("is identified by its model and prompt version, and prices unknown models at 0", async () => {
    const local = rater({ model: "llama3.1:8b" });
    expect(local.id).toBe("openai:llama3.1:8b");
    expect(local.version).toMatch(/^openai-prompt-v\d+$/);
    const { usage } = await local.rateLines(lines.slice(0, 1), { assignment });
    expect(usage!.promptTokens).toBeGreaterThan(0);
    expect(usage!.costUsd).toBe(0);
    expect(findModelPricing("gpt-4o-mini-2024-07-18")).toEqual(findModelPricing("gpt-4o-mini"));
    expect(findModelPricing("models/gemini-2.0-flash").inputPerMillionUsd).toBeGreaterThan(0);
  });

  it("sends the lines being rated at their own indices, with the essay around them when given", async () => {
    const later = lines.slice(1);
    const withoutEssay = await rater().rateLines(later, { assignment });
    // The essay is context beyond the Rater interface, so it rides in a variable (no excess-property check).
    const context = { assignment, essay: lines.map((line) => line.text).join("\n") };
    const withEssay = await rater().rateLines(later, context);

    expect(withEssay.ratings.map((rating) => rating.lineIndex)).toEqual([1, 2]);
    expect(withEssay.ratings).toEqual(withoutEssay.ratings);
    expect(server.requests.map((request) => request.lineIndices)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(withEssay.usage!.promptTokens).toBeGreaterThan(withoutEssay.usage!.promptTokens + context.essay.length / 5);
  });

  it("a 429 with retry-after-ms is retried by the SDK and then succeeds", async () => {
    server.setFaults({ schedule: ["rate_limit"], retryAfterMs: 20 });
    const result = await rater().rateLines(lines, { assignment });
    expect(result.ratings).toHaveLength(3);
    expect(server.requests.map((request) => [request.status, request.retryCount])).toEqual([
      [429, 0],
      [200, 1],
    ]);
  });

  it("a seconds-based Retry-After makes the SDK wait that long before retrying", async () => {
    server.setFaults({ schedule: ["rate_limit"], retryAfterSeconds: 1 });
    await rater().rateLines(lines, { assignment });
    expect(server.requests.map((request) => request.status)).toEqual([429, 200]);
    expect(server.requests[1]!.receivedAt - server.requests[0]!.answeredAt!).toBeGreaterThanOrEqual(950);
  });

  it("a 429 that outlasts the SDK's retries becomes a RetryAfterJobError with the server's wait", async () => {
    server.setFaults({ rates: { rate_limit: 1 }, retryAfterMs: 30 });
    const error = await rater({ maxRetries: 2 })
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryAfterJobError);
    expect((error as RetryAfterJobError).retryAfterMs).toBe(30);
    expect(server.requests.map((request) => request.status)).toEqual([429, 429, 429]);
  });

  it("a 429 asking for a long wait goes back to the queue at once instead of holding the worker", async () => {
    server.setFaults({ rates: { rate_limit: 1 }, retryAfterSeconds: 120 });
    const startedAt = Date.now();
    const error = await rater()
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryAfterJobError);
    expect((error as RetryAfterJobError).retryAfterMs).toBe(120_000);
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it("a 500 is retried by the SDK and then succeeds; a persistent 500 is a plain, retriable Error", async () => {
    server.setFaults({ schedule: ["server_error"], retryAfterMs: 10 });
    const result = await rater().rateLines(lines, { assignment });
    expect(result.ratings).toHaveLength(3);
    expect(server.requests.map((request) => request.status)).toEqual([500, 200]);

    server.setFaults({ rates: { server_error: 1 }, retryAfterMs: 10 });
    const error = await rater({ maxRetries: 1 })
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(NonRetriableJobError);
    expect(error).not.toBeInstanceOf(RetryAfterJobError);
    expect((error as Error).message).toMatch(/500/);
  });

  it("malformed JSON fails the attempt with a readable error that keeps the call's usage", async () => {
    server.setFaults({ schedule: ["malformed_json"] });
    const error = await rater()
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidLlmAnswerError);
    expect((error as Error).message).toMatch(/^openai:gpt-4o-mini answered with malformed JSON for its line ratings/);
    expect((error as InvalidLlmAnswerError).usage.promptTokens).toBeGreaterThan(0);
    expect(error).not.toBeInstanceOf(NonRetriableJobError);
  });

  it("an answer with a rating missing is rejected", async () => {
    server.setFaults({ schedule: ["wrong_line_count"] });
    await expect(rater().rateLines(lines, { assignment })).rejects.toThrow("answered 2 ratings for 3 lines: missing line 2");
  });

  it("a score outside the rubric scale is rejected", async () => {
    server.setFaults({ schedule: ["score_out_of_range"] });
    await expect(rater().rateLines(lines, { assignment })).rejects.toThrow("scored line 0 6, outside the rubric scale 1–5");
  });

  it("a rejected API key is a NonRetriableJobError that names OPENAI_API_KEY, sent once", async () => {
    const error = await rater({ apiKey: "sk-wrong" })
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NonRetriableJobError);
    expect((error as Error).message).toMatch(/^OPENAI_API_KEY was rejected/);
    expect(server.requests.map((request) => request.status)).toEqual([401]);
  });

  it("an unknown model and an exhausted quota are NonRetriableJobErrors", async () => {
    server.setFaults({
      schedule: [
        {
          status: 404,
          body: { error: { message: "The model `gpt-9` does not exist", type: "invalid_request_error", code: "model_not_found" } },
        },
        {
          status: 429,
          body: { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } },
        },
      ],
    });
    await expect(rater({ model: "gpt-9" }).rateLines(lines, { assignment })).rejects.toThrow(
      expect.objectContaining({ name: "NonRetriableJobError", message: expect.stringMatching(/model "gpt-9" was not found/) }),
    );
    await expect(rater({ maxRetries: 0 }).rateLines(lines, { assignment })).rejects.toThrow(
      expect.objectContaining({ name: "NonRetriableJobError", message: expect.stringMatching(/out of quota/) }),
    );
  });

  it("a timeout and an unreachable server are plain, retriable Errors", async () => {
    server.setFaults({ schedule: ["slow"], slowMs: 5_000 });
    const timedOut = await rater({ timeoutMs: 200, maxRetries: 0 })
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);
    expect(timedOut).toBeInstanceOf(Error);
    expect(timedOut).not.toBeInstanceOf(NonRetriableJobError);
    expect((timedOut as Error).message).toMatch(/timed out/);

    const unreachable = await rater({ baseURL: "http://127.0.0.1:1/v1", maxRetries: 0 })
      .rateLines(lines, { assignment })
      .catch((caught: unknown) => caught);
    expect(unreachable).not.toBeInstanceOf(NonRetriableJobError);
    expect((unreachable as Error).message).toMatch(/could not be reached/);
  });

  it("grades a submission with one score per rubric criterion", async () => {
    const { ratings } = await rater().rateLines(lines, { assignment });
    server.resetStats();
    const result = await rater().gradeSubmission({ assignment, lines, ratings });

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.kind).toBe("grade_submission");
    expect(result.grade.criteria.map((score) => score.criterionId)).toEqual(["evidence", "clarity"]);
    for (const score of result.grade.criteria) expect([1, 3, 5]).toContain(score.score);
    expect(result.grade.overallScore).toBeGreaterThanOrEqual(1);
    expect(result.grade.overallScore).toBeLessThanOrEqual(5);
    expect(result.grade.feedback).not.toBe("");
    expect(result.usage!.costUsd).toBeGreaterThan(0);
  });

  it("a grade missing a criterion is rejected", async () => {
    server.setFaults({ schedule: ["wrong_line_count"] });
    const ratings: LineRating[] = lines.map((line) => ({
      lineIndex: line.index,
      score: 3,
      label: "Partial",
      comment: "ok",
      suggestion: null,
      criterionId: "evidence",
    }));
    await expect(rater().gradeSubmission({ assignment, lines, ratings })).rejects.toThrow(
      'gave criterion "clarity" 0 scores instead of one',
    );
  });
});

describe("selectRater", () => {
  it("uses the OpenAI-compatible rater when OPENAI_API_KEY is set, with OPENAI_MODEL and OPENAI_BASE_URL", async () => {
    const selected = selectRater({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: server.url, OPENAI_MODEL: "gemini-2.0-flash" });
    expect(selected.id).toBe("openai:gemini-2.0-flash");
    const { usage } = await selected.rateLines(lines, { assignment });
    expect(server.requests[0]!.model).toBe("gemini-2.0-flash");
    expect(usage!.costUsd).toBeGreaterThan(0);
    expect(selectRater({ OPENAI_API_KEY: API_KEY }).id).toBe("openai:gpt-4o-mini");
  });

  it("falls back to the local rater without an API key", () => {
    expect(selectRater({}).id).toMatch(/^local:/);
    expect(selectRater({ OPENAI_API_KEY: "  " }).id).toMatch(/^local:/);
  });
});

describe("essayContextWindow", () => {
  it("keeps a long essay's text around the lines being rated, within the budget (pure)", () => {
    const essay = Array.from({ length: 400 }, (_, index) => `Sentence number ${index} of a long essay.`).join("\n");
    const [line] = toLines(essay.split("\n")).slice(200, 201);
    const window = essayContextWindow(essay, [line!], ESSAY_CONTEXT_MAX_CHARS);
    expect(window.length).toBeLessThanOrEqual(ESSAY_CONTEXT_MAX_CHARS + 2);
    expect(window).toContain(line!.text);
    expect(window.startsWith("…") && window.endsWith("…")).toBe(true);
    expect(essayContextWindow("short essay", [line!], ESSAY_CONTEXT_MAX_CHARS)).toBe("short essay");
  });
});

describe("the fake OpenAI server", () => {
  it("answers the same line the same way, and reports latency and concurrency", async () => {
    const slow = await startFakeOpenAiServer({ latencyMs: 50 });
    try {
      const client = createOpenAiRater({ apiKey: "any", baseURL: slow.url, model: "gpt-4o-mini" });
      const results = await Promise.all([0, 1, 2, 3].map(() => client.rateLines(lines, { assignment })));
      expect(slow.maxInFlight).toBe(4);
      expect(slow.inFlight).toBe(0);
      expect(new Set(results.map((result) => JSON.stringify(result.ratings))).size).toBe(1);
      for (const request of slow.requests) expect(request.answeredAt! - request.receivedAt).toBeGreaterThanOrEqual(45);
    } finally {
      await slow.close();
    }
  });
});

function toLines(texts: string[]): SubmissionLine[] {
  let offset = 0;
  return texts.map((text, index) => {
    const line = { index, text, start: offset, end: offset + text.length };
    offset += text.length + 1;
    return line;
  });
}
