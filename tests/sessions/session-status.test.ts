import { describe, expect, it } from "vitest";
import type { SubmissionStatus } from "../../lib/submissions/submission-state";
import { deriveSessionStatus } from "../../lib/sessions/get-session-state";

const counts = (partial: Partial<Record<SubmissionStatus, number>>): Record<SubmissionStatus, number> => ({
  pending: 0,
  grading: 0,
  graded: 0,
  failed: 0,
  ...partial,
});

describe("deriveSessionStatus (pure)", () => {
  it("a session with no students is pending", () => {
    expect(deriveSessionStatus(counts({}))).toBe("pending");
  });

  it("a session whose students are all waiting is pending", () => {
    expect(deriveSessionStatus(counts({ pending: 30 }))).toBe("pending");
  });

  it("a session with any student being graded is grading", () => {
    expect(deriveSessionStatus(counts({ pending: 29, grading: 1 }))).toBe("grading");
    expect(deriveSessionStatus(counts({ grading: 30 }))).toBe("grading");
  });

  it("a session with some students graded and others waiting is grading", () => {
    expect(deriveSessionStatus(counts({ pending: 5, graded: 25 }))).toBe("grading");
  });

  it("a session with a failure while others still wait or run is grading, not finished", () => {
    expect(deriveSessionStatus(counts({ pending: 1, failed: 1 }))).toBe("grading");
    expect(deriveSessionStatus(counts({ grading: 1, failed: 2, graded: 3 }))).toBe("grading");
  });

  it("a session whose students are all graded is completed", () => {
    expect(deriveSessionStatus(counts({ graded: 1 }))).toBe("completed");
    expect(deriveSessionStatus(counts({ graded: 30 }))).toBe("completed");
  });

  it("a session with failures and nothing left running is completed with failures", () => {
    expect(deriveSessionStatus(counts({ graded: 29, failed: 1 }))).toBe("completed_with_failures");
    expect(deriveSessionStatus(counts({ failed: 3 }))).toBe("completed_with_failures");
  });
});
