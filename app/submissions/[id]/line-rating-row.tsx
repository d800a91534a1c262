import { memo } from "react";
import { OverrideForm, type OverrideValues } from "@/app/submissions/[id]/override-form";
import { ScoreBadge } from "@/app/components/score-badge";
import type { SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";

type LineView = SubmissionSnapshot["lines"][number];

interface LineRatingRowProps {
  line: LineView;
  scale: { min: number; max: number };
  criterionNames: ReadonlyMap<string, string>;
  /** Only a revision has lines that changed; on a first draft every line would say so. */
  isRevision: boolean;
  /** Grading failed: an unrated line is not coming, so it stops saying "waiting". */
  stopped: boolean;
  onSaveOverride(lineIndex: number, values: OverrideValues): Promise<void>;
}

/**
 * One essay line with the rater's verdict and, beside it, the teacher's when there is one.
 * Memoised: a 400-line essay re-renders only the row whose rating just landed.
 */
export const LineRatingRow = memo(function LineRatingRow({
  line,
  scale,
  criterionNames,
  isRevision,
  stopped,
  onSaveOverride,
}: LineRatingRowProps) {
  const { rating, override } = line;
  const number = line.index + 1;
  return (
    <li
      className="line-row"
      data-testid="line-row"
      data-line-index={line.index}
      data-rated={rating ? "true" : "false"}
      aria-busy={!rating && !stopped}
    >
      <div className="line-text">
        <span className="line-number" aria-hidden="true">
          {number}
        </span>
        <p>
          <span className="visually-hidden">Line {number}: </span>
          {line.text}
          {isRevision && line.changedSincePrevious && <span className="tag tag-changed">changed since last draft</span>}
        </p>
      </div>
      <div className="line-verdicts">
        {rating ? (
          <div className="verdict" data-testid="model-rating">
            <div className="verdict-head">
              <ScoreBadge score={rating.score} scale={scale} testId="line-score" />
              <strong className="verdict-label">{rating.label}</strong>
              {rating.criterionId && <span className="muted">{criterionNames.get(rating.criterionId) ?? rating.criterionId}</span>}
              {rating.fromCache && (
                <span
                  className="tag"
                  data-testid="cached-marker"
                  title="The same sentence was rated before under this rubric; this is that rating."
                >
                  cached
                </span>
              )}
              <span className="verdict-rater muted" data-testid="line-rater">
                by {rating.rater}
              </span>
            </div>
            {rating.comment && <p className="verdict-comment">{rating.comment}</p>}
            {rating.suggestion && (
              <details className="suggestion">
                <summary>Show suggestion</summary>
                <p>{rating.suggestion}</p>
              </details>
            )}
          </div>
        ) : stopped ? (
          <p className="verdict muted">Not rated: grading stopped before this line.</p>
        ) : (
          <div className="verdict verdict-pending">
            <span className="skeleton skeleton-badge" aria-hidden="true" />
            <span className="muted">Waiting for a rating…</span>
          </div>
        )}
        {override && (
          <div className="verdict verdict-teacher" data-testid="line-override">
            <div className="verdict-head">
              <ScoreBadge score={override.score} scale={scale} variant="teacher" testId="line-override-score" />
              <strong className="verdict-label">{override.label ?? "Teacher"}</strong>
              <span className="tag tag-teacher">teacher</span>
            </div>
            {override.comment && <p className="verdict-comment">{override.comment}</p>}
          </div>
        )}
        {rating && (
          <div className="verdict-footer">
            <OverrideForm
              subject={`line ${number}`}
              scale={scale}
              initial={override ? { score: override.score, comment: override.comment } : null}
              maxCommentLength={600}
              onSave={(values) => onSaveOverride(line.index, values)}
            />
          </div>
        )}
      </div>
    </li>
  );
});
