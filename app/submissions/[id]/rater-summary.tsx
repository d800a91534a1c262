import type { SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Which raters produced this submission's ratings: "local:retext (12 lines), teacher (1 line, 2 overrides)". */
export function RaterSummary({ state }: { state: SubmissionSnapshot }) {
  const lines = new Map<string, number>();
  for (const line of state.lines) {
    if (line.rating) lines.set(line.rating.rater, (lines.get(line.rating.rater) ?? 0) + 1);
  }
  const overrides = state.lines.filter((line) => line.override).length + state.criterionOverrides.length;
  // A teacher's earlier override can come back from the phrase cache with rater "teacher": one entry, not two.
  const raters = [...new Set([...lines.keys(), ...(overrides > 0 ? ["teacher"] : [])])];
  if (raters.length === 0) return null;
  return (
    <p className="rater-summary" data-testid="rater-summary">
      <span className="muted">Rated by </span>
      {raters.map((rater, position) => {
        const parts = [
          lines.has(rater) ? plural(lines.get(rater)!, "line") : null,
          rater === "teacher" && overrides > 0 ? plural(overrides, "override") : null,
        ];
        return (
          <span key={rater}>
            {position > 0 && ", "}
            <code data-testid="rater-name">{rater}</code> ({parts.filter(Boolean).join(", ")})
          </span>
        );
      })}
    </p>
  );
}
