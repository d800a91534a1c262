import { effectiveOverallScore, type LineRatingView, type SubmissionState, type SubmissionStatus } from "@/lib/submissions/submission-view";

/** A value after a JSON round trip: what GET /api/submissions/:id returns, Dates as ISO strings. */
export type Serialized<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer Item>
    ? Serialized<Item>[]
    : T extends object
      ? { [Key in keyof T]: Serialized<T[Key]> }
      : T;

/** The submission as the browser holds it: the server's SubmissionState, serialized. */
export type SubmissionSnapshot = Serialized<SubmissionState>;
export type SubmissionGradeView = NonNullable<SubmissionSnapshot["grade"]>;
export type SubmissionErrorView = SubmissionSnapshot["errors"][number];

export type GradingStreamEvent =
  /** SSE `line`: one rating, id = its seq. */
  | { type: "line"; rating: LineRatingView }
  /** SSE `progress`. */
  | { type: "progress"; rated: number; total: number; status: SubmissionStatus }
  /** SSE `graded`: the final grade. */
  | { type: "graded"; grade: SubmissionGradeView }
  /** SSE `failed`: jobs failed for good. */
  | { type: "failed"; errors: SubmissionErrorView[]; progress?: { rated: number; total: number } }
  /** A whole state from GET /api/submissions/:id (polling, Realtime, after an override). */
  | { type: "snapshot"; state: SubmissionSnapshot }
  /** The Retry button was pressed and the server accepted it. */
  | { type: "retrying" };

export const isFinalStatus = (status: SubmissionStatus) => status === "graded" || status === "failed";

/** The highest rating seq held: where an SSE stream resumes (Last-Event-ID). */
export function lastRatingSeq(state: SubmissionSnapshot): number {
  return state.lines.reduce((max, line) => Math.max(max, line.rating?.seq ?? 0), 0);
}

const countRated = (lines: SubmissionSnapshot["lines"]) => lines.filter((line) => line.rating !== null).length;

// A newer rating (higher seq) replaces an older one; a duplicate or a late stale one changes nothing.
const newerRating = (held: LineRatingView | null, incoming: LineRatingView | null) =>
  incoming && (!held || incoming.seq > held.seq) ? incoming : held;

function withProgress(state: SubmissionSnapshot, rated: number, total: number): SubmissionSnapshot["progress"] {
  // Never backwards: a progress event read before a line event it crossed must not undo it.
  return { rated: Math.max(state.progress.rated, rated, countRated(state.lines)), total: Math.max(total, state.lines.length) };
}

/**
 * The status an event may move to. Graded is final (a grade never disappears); nothing
 * goes back to pending once grading started; failed → grading is allowed because a
 * retry really does resume grading.
 */
function nextStatus(held: SubmissionStatus, incoming: SubmissionStatus, hasGrade: boolean): SubmissionStatus {
  if (hasGrade || held === "graded") return "graded";
  if (incoming === "pending" && held !== "pending") return held;
  return incoming;
}

function applyLine(state: SubmissionSnapshot, rating: LineRatingView): SubmissionSnapshot {
  const line = state.lines.find((held) => held.index === rating.lineIndex);
  if (!line) {
    // Lines are created with the submission, so this only happens on a foreign event: ignore it.
    return state;
  }
  const kept = newerRating(line.rating, rating);
  if (kept === line.rating) return state;
  const lines = state.lines.map((held) => (held.index === rating.lineIndex ? { ...held, rating: kept } : held));
  const next = { ...state, lines };
  return {
    ...next,
    progress: withProgress(next, 0, state.progress.total),
    status: nextStatus(state.status, "grading", state.grade !== null),
  };
}

type LineOverrideView = SubmissionSnapshot["lines"][number]["override"];
const sameOverride = (a: LineOverrideView, b: LineOverrideView) =>
  a === b ||
  (a !== null && b !== null && a.updatedAt === b.updatedAt && a.score === b.score && a.comment === b.comment && a.label === b.label);

function applySnapshot(state: SubmissionSnapshot, incoming: SubmissionSnapshot): SubmissionSnapshot {
  if (incoming.id !== state.id) return incoming;
  const heldByIndex = new Map(state.lines.map((line) => [line.index, line]));
  // The snapshot is the authority on overrides and errors; ratings and the grade only grow.
  const lines = incoming.lines.map((line) => {
    const held = heldByIndex.get(line.index);
    const rating = newerRating(held?.rating ?? null, line.rating);
    // Keep the held object when nothing changed, so memoised rows skip re-rendering on every poll.
    if (held && rating === held.rating && sameOverride(held.override, line.override)) return held;
    return { ...line, rating };
  });
  const grade = incoming.grade ?? state.grade;
  const next = { ...incoming, lines, grade };
  return {
    ...next,
    progress: withProgress({ ...next, progress: state.progress }, incoming.progress.rated, incoming.progress.total),
    status: nextStatus(state.status, incoming.status, grade !== null),
    effectiveOverallScore: incoming.effectiveOverallScore ?? state.effectiveOverallScore,
    errors: grade ? [] : incoming.errors,
  };
}

/**
 * Applies one event to the submission. Pure and idempotent: the same events in any
 * order, duplicated or replayed after a reconnect, give the same lines and ratings —
 * a line is never duplicated, a rating is keyed by its line and replaced only by a
 * higher seq.
 */
export function reduceGradingStream(state: SubmissionSnapshot, event: GradingStreamEvent): SubmissionSnapshot {
  switch (event.type) {
    case "line":
      return applyLine(state, event.rating);
    case "progress":
      return {
        ...state,
        progress: withProgress(state, event.rated, event.total),
        status: nextStatus(state.status, event.status, state.grade !== null),
      };
    case "graded": {
      if (state.grade && state.grade.seq >= event.grade.seq) return state;
      return {
        ...state,
        grade: event.grade,
        status: "graded",
        errors: [],
        effectiveOverallScore: effectiveOverallScore(event.grade, state.criterionOverrides),
      };
    }
    case "failed": {
      if (state.grade) return state;
      const progress = event.progress ? withProgress(state, event.progress.rated, event.progress.total) : state.progress;
      return { ...state, status: "failed", errors: event.errors, progress };
    }
    case "snapshot":
      return applySnapshot(state, event.state);
    case "retrying":
      return state.status === "failed" ? { ...state, status: "grading", errors: [] } : state;
  }
}
