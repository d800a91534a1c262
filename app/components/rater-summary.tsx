import type { SubmissionSnapshot } from "@/lib/hooks/grading-stream-reducer";

/** Which raters produced this submission's ratings: "local:retext (12 lines), teacher (1 line)". */
export function RaterSummary({ state }: { state: SubmissionSnapshot }) {
  const counts = new Map<string, number>();
  for (const line of state.lines) {
    if (line.rating) counts.set(line.rating.rater, (counts.get(line.rating.rater) ?? 0) + 1);
  }
  const overridden = state.lines.filter((line) => line.override).length + state.criterionOverrides.length;
  if (counts.size === 0 && overridden === 0) return null;
  return (
    <p className="rater-summary" data-testid="rater-summary">
      <span className="muted">Rated by </span>
      {[...counts].map(([rater, count], position) => (
        <span key={rater}>
          {position > 0 && ", "}
          <code data-testid="rater-name">{rater}</code> ({count} {count === 1 ? "line" : "lines"})
        </span>
      ))}
      {overridden > 0 && (
        <span>
          {counts.size > 0 && ", "}
          <code data-testid="rater-name">teacher</code> ({overridden} {overridden === 1 ? "override" : "overrides"})
        </span>
      )}
    </p>
  );
}
