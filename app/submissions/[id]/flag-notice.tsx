import type { SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";

/**
 * Shown when a line of the essay looked like an instruction to the grader (#9): its
 * ratings were kept for this essay only, and the teacher should read that line before
 * trusting the scores.
 */
export function FlagNotice({ flag }: { flag: NonNullable<SubmissionSnapshot["flag"]> }) {
  return (
    <section className="notice" role="alert" aria-labelledby="flag-heading" data-testid="flag-notice">
      <h2 id="flag-heading">Check this essay before trusting its scores</h2>
      <p>{flag.reason}</p>
      <p className="muted">
        {/* UTC, so the server's render and the browser's hydration print the same text. */}
        Flagged <time dateTime={flag.flaggedAt}>{new Date(flag.flaggedAt).toISOString().slice(0, 16).replace("T", " ")} UTC</time>.
      </p>
    </section>
  );
}
