import { OverrideForm, type OverrideValues } from "@/app/submissions/[id]/override-form";
import { ScoreBadge } from "@/app/components/score-badge";
import { formatScore } from "@/app/components/score-level";
import type { Rubric } from "@/lib/assignments/rubric";
import type { SubmissionGradeView, SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";

interface GradeSummaryProps {
  grade: SubmissionGradeView;
  criterionOverrides: SubmissionSnapshot["criterionOverrides"];
  effectiveOverallScore: number | null;
  rubric: Rubric;
  onSaveOverride(criterionId: string, values: OverrideValues): Promise<void>;
}

/** The rubric scores with their rationales, the overall feedback, and teachers' overrides beside them. */
export function GradeSummary({ grade, criterionOverrides, effectiveOverallScore, rubric, onSaveOverride }: GradeSummaryProps) {
  const { scale } = rubric;
  const overrides = new Map(criterionOverrides.map((override) => [override.criterionId, override]));
  // With overrides the overall is the mean with the teacher's scores swapped in; without, the rater's own overall.
  const overall = overrides.size > 0 && effectiveOverallScore !== null ? effectiveOverallScore : grade.overallScore;
  const names = new Map(rubric.criteria.map((criterion) => [criterion.id, criterion.name]));
  return (
    <section className="panel" aria-labelledby="grade-heading" data-testid="grade-summary">
      <h2 id="grade-heading">Grade</h2>
      <div className="overall">
        <span className="overall-label">Overall</span>
        <span className="overall-score" data-testid="overall-score">
          {formatScore(overall)}
        </span>
        <span className="muted">out of {formatScore(scale.max)}</span>
        {overall !== grade.overallScore && (
          <span className="muted" data-testid="model-overall-score">
            (with teacher overrides; the rater gave {formatScore(grade.overallScore)})
          </span>
        )}
      </div>
      <p className="feedback" data-testid="grade-feedback">
        {grade.feedback}
      </p>
      <p className="muted">Scored by {grade.rater || "unknown rater"}</p>
      <h3>By criterion</h3>
      <ul className="criteria-list">
        {grade.criteria.map((criterion) => {
          const override = overrides.get(criterion.criterionId);
          return (
            <li key={criterion.criterionId} className="criterion-row" data-testid="criterion-row" data-criterion-id={criterion.criterionId}>
              <div className="verdict">
                <div className="verdict-head">
                  <ScoreBadge score={criterion.score} scale={scale} testId="criterion-score" />
                  <strong>{names.get(criterion.criterionId) ?? criterion.criterionId}</strong>
                </div>
                <p className="verdict-comment">{criterion.rationale}</p>
              </div>
              {override && (
                <div className="verdict verdict-teacher" data-testid="criterion-override">
                  <div className="verdict-head">
                    <ScoreBadge score={override.score} scale={scale} variant="teacher" testId="criterion-override-score" />
                    <span className="tag tag-teacher">teacher</span>
                  </div>
                  {override.comment && <p className="verdict-comment">{override.comment}</p>}
                </div>
              )}
              {names.has(criterion.criterionId) && (
                <OverrideForm
                  subject={names.get(criterion.criterionId) ?? criterion.criterionId}
                  scale={scale}
                  initial={override ? { score: override.score, comment: override.comment } : null}
                  maxCommentLength={1500}
                  onSave={(values) => onSaveOverride(criterion.criterionId, values)}
                />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
