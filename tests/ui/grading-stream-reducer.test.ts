import { describe, expect, it } from "vitest";
import { effectiveOverallScore, type LineRatingView } from "@/lib/submissions/submission-state";
import { estimateSecondsLeft } from "@/lib/live/estimate-seconds-left";
import {
  lastRatingSeq,
  reduceGradingStream,
  type GradingStreamEvent,
  type SubmissionGradeView,
  type SubmissionSnapshot,
} from "@/lib/live/grading-stream-reducer";

const LINE_COUNT = 4;

function initialState(overrides: Partial<SubmissionSnapshot> = {}): SubmissionSnapshot {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    assignmentId: "00000000-0000-4000-8000-000000000001",
    studentName: "Ada",
    createdAt: "2026-11-23T10:00:00.000Z",
    status: "pending",
    progress: { rated: 0, total: LINE_COUNT },
    lines: Array.from({ length: LINE_COUNT }, (_, index) => ({
      index,
      text: `Line ${index}.`,
      start: index * 10,
      end: index * 10 + 7,
      changedSincePrevious: false,
      rating: null,
      override: null,
    })),
    grade: null,
    criterionOverrides: [],
    effectiveOverallScore: null,
    errors: [],
    previousSubmissionId: null,
    eventSeq: 0,
    ...overrides,
  };
}

const rating = (lineIndex: number, seq: number, score = 3): LineRatingView => ({
  seq,
  lineIndex,
  score,
  label: "fair",
  comment: `Comment on line ${lineIndex}`,
  suggestion: null,
  criterionId: "ideas",
  rater: "local:retext",
  fromCache: false,
});

const grade: SubmissionGradeView = {
  criteria: [
    { criterionId: "ideas", score: 4, rationale: "Clear claim." },
    { criterionId: "organization", score: 3, rationale: "Mostly ordered." },
  ],
  overallScore: 3.5,
  feedback: "Good work.",
  rater: "local:retext",
  gradedAt: "2026-11-23T10:01:00.000Z",
  seq: 5,
};

const lineEvents: GradingStreamEvent[] = [0, 1, 2, 3].map((index) => ({ type: "line", rating: rating(index, index + 1) }));
const progressEvents: GradingStreamEvent[] = [
  { type: "progress", rated: 2, total: LINE_COUNT, status: "grading" },
  { type: "progress", rated: 4, total: LINE_COUNT, status: "grading" },
];
const gradedEvent: GradingStreamEvent = { type: "graded", grade };

const apply = (events: readonly GradingStreamEvent[], start = initialState()) => events.reduce(reduceGradingStream, start);

// A deterministic shuffle, so a failure names the seed that found it.
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe("reduceGradingStream (pure)", () => {
  it("applies lines, progress and the grade in stream order", () => {
    const state = apply([...lineEvents, ...progressEvents, gradedEvent]);
    expect(state.lines.map((line) => line.rating?.seq)).toEqual([1, 2, 3, 4]);
    expect(state.progress).toEqual({ rated: 4, total: LINE_COUNT });
    expect(state.status).toBe("graded");
    expect(state.grade).toEqual(grade);
    expect(state.effectiveOverallScore).toBe(grade.overallScore); // no overrides: the rater's own overall score
    expect(effectiveOverallScore(grade, [])).toBe(grade.overallScore);
  });

  it("gives the same state for the same events in any order, duplicated", () => {
    const events = [...lineEvents, ...progressEvents, gradedEvent];
    const expected = apply(events);
    for (let seed = 1; seed <= 50; seed++) {
      const state = apply(shuffled([...events, ...events, lineEvents[1]!, gradedEvent], seed));
      expect(state, `seed ${seed}`).toEqual(expected);
    }
  });

  it("never duplicates a line, and keeps the rating with the higher seq", () => {
    const state = apply([
      { type: "line", rating: rating(2, 7, 5) },
      { type: "line", rating: rating(2, 3, 1) },
      { type: "line", rating: rating(2, 7, 5) },
    ]);
    expect(state.lines).toHaveLength(LINE_COUNT);
    expect(state.lines.filter((line) => line.index === 2)).toHaveLength(1);
    expect(state.lines[2]!.rating).toMatchObject({ seq: 7, score: 5 });
    expect(state.progress.rated).toBe(1);
    expect(lastRatingSeq(state)).toBe(7);
  });

  it("ignores a rating for a line the submission does not have", () => {
    const start = initialState();
    expect(reduceGradingStream(start, { type: "line", rating: rating(99, 1) })).toBe(start);
  });

  it("a stale progress event does not move progress backwards or undo a status", () => {
    const state = apply([...lineEvents, { type: "progress", rated: 1, total: LINE_COUNT, status: "pending" }]);
    expect(state.progress.rated).toBe(4);
    expect(state.status).toBe("grading");
  });

  it("a failed event after the grade changes nothing; a grade after failed wins", () => {
    const failed: GradingStreamEvent = { type: "failed", errors: [{ jobId: 9, kind: "rate_lines", error: "429" }] };
    expect(apply([gradedEvent, failed]).status).toBe("graded");
    const recovered = apply([failed, gradedEvent]);
    expect(recovered.status).toBe("graded");
    expect(recovered.errors).toEqual([]);
  });

  it("retrying clears a failure and resumes grading", () => {
    const failed = apply([lineEvents[0]!, { type: "failed", errors: [{ jobId: 9, kind: "rate_lines", error: "boom" }] }]);
    expect(failed.status).toBe("failed");
    const retried = reduceGradingStream(failed, { type: "retrying" });
    expect(retried.status).toBe("grading");
    expect(retried.errors).toEqual([]);
  });

  it("a snapshot brings overrides but never drops a rating that arrived after it was read", () => {
    const live = apply(lineEvents.slice(0, 3));
    const staleSnapshot = initialState({
      status: "grading",
      progress: { rated: 1, total: LINE_COUNT },
      lines: initialState().lines.map((line) =>
        line.index === 0
          ? {
              ...line,
              rating: rating(0, 1),
              override: { score: 5, label: "strong", comment: "Nice.", updatedAt: "2026-11-23T10:02:00.000Z" },
            }
          : line,
      ),
    });
    const state = reduceGradingStream(live, { type: "snapshot", state: staleSnapshot });
    expect(state.lines.map((line) => line.rating?.seq ?? null)).toEqual([1, 2, 3, null]);
    expect(state.lines[0]!.override).toMatchObject({ score: 5, comment: "Nice." });
    expect(state.progress.rated).toBe(3);
  });

  it("a snapshot without a grade does not take away a grade already held", () => {
    const graded = apply([...lineEvents, gradedEvent]);
    const state = reduceGradingStream(graded, { type: "snapshot", state: initialState({ status: "grading" }) });
    expect(state.grade).toEqual(grade);
    expect(state.status).toBe("graded");
  });

  it("the effective overall score follows criterion overrides held before the grade arrives", () => {
    const overrides = [{ criterionId: "organization", score: 5, comment: "", updatedAt: "2026-11-23T10:02:00.000Z" }];
    const state = apply([gradedEvent], initialState({ criterionOverrides: overrides }));
    expect(state.effectiveOverallScore).toBe(4.5);
  });
});

describe("estimateSecondsLeft (pure)", () => {
  it("waits for two ratings before estimating", () => {
    expect(
      estimateSecondsLeft(
        [
          { at: 0, rated: 0 },
          { at: 1000, rated: 1 },
        ],
        10,
        1000,
      ),
    ).toBeNull();
  });

  it("extrapolates the observed rate, and grows when ratings stall", () => {
    const samples = [
      { at: 0, rated: 0 },
      { at: 2000, rated: 4 },
    ];
    expect(estimateSecondsLeft(samples, 10, 2000)).toBe(3);
    expect(estimateSecondsLeft(samples, 10, 8000)).toBe(12);
  });
});
