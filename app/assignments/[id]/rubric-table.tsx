import { ScoreBadge } from "@/app/components/score-badge";
import type { Rubric } from "@/lib/assignments/rubric";

/** A rubric read-only: each criterion with its levels, lowest first. */
export function RubricTable({ rubric }: { rubric: Rubric }) {
  return (
    <div className="stack">
      {rubric.criteria.map((criterion) => (
        <section key={criterion.id} className="panel" aria-labelledby={`criterion-${criterion.id}`}>
          <h3 id={`criterion-${criterion.id}`}>
            {criterion.name} <code className="muted">{criterion.id}</code>
          </h3>
          {criterion.description && <p>{criterion.description}</p>}
          <ul className="level-list">
            {[...criterion.levels]
              .sort((a, b) => a.score - b.score)
              .map((level, position) => (
                <li key={position}>
                  <ScoreBadge score={level.score} scale={rubric.scale} /> <strong>{level.label}</strong>
                  {level.description && <span>: {level.description}</span>}
                </li>
              ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
