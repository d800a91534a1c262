"use client";

import { useCallback, useMemo } from "react";
import { FailedJobsPanel } from "@/app/submissions/[id]/failed-jobs-panel";
import { FlagNotice } from "@/app/submissions/[id]/flag-notice";
import { GradeSummary } from "@/app/submissions/[id]/grade-summary";
import { GradingProgress } from "@/app/submissions/[id]/grading-progress";
import { LineRatingRow } from "@/app/submissions/[id]/line-rating-row";
import type { OverrideValues } from "@/app/submissions/[id]/override-form";
import { RaterSummary } from "@/app/submissions/[id]/rater-summary";
import { TransportBadge } from "@/app/submissions/[id]/transport-badge";
import type { Rubric } from "@/lib/assignments/rubric";
import type { SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";
import { requestJson } from "@/lib/client/request-json";
import { useGradingStream } from "@/lib/hooks/use-grading-stream";

interface SubmissionLiveViewProps {
  initialState: SubmissionSnapshot;
  assignment: { id: string; title: string; rubric: Rubric };
}

const statusText = { pending: "Waiting", grading: "Grading", graded: "Graded", failed: "Failed" } as const;

/** The live submission page: the essay line by line, filling in as ratings land. */
export function SubmissionLiveView({ initialState, assignment }: SubmissionLiveViewProps) {
  const { state, transport, error, refresh, retry } = useGradingStream(initialState.id, initialState);
  const { rubric } = assignment;
  const criterionNames = useMemo(() => new Map(rubric.criteria.map((criterion) => [criterion.id, criterion.name])), [rubric]);
  const base = `/api/submissions/${encodeURIComponent(state.id)}`;

  const saveLineOverride = useCallback(
    async (lineIndex: number, values: OverrideValues) => {
      await requestJson(`${base}/lines/${lineIndex}/override`, { method: "PUT", body: JSON.stringify(values) });
      // Overrides are not SSE events: fetch the state so the override shows beside the rating.
      await refresh();
    },
    [base, refresh],
  );
  const saveCriterionOverride = useCallback(
    async (criterionId: string, values: OverrideValues) => {
      await requestJson(`${base}/criteria/${encodeURIComponent(criterionId)}/override`, { method: "PUT", body: JSON.stringify(values) });
      await refresh();
    },
    [base, refresh],
  );

  return (
    <div className="submission" data-status={state.status}>
      <header className="page-header">
        <div>
          <p className="eyebrow">
            <a href={`/assignments/${assignment.id}`}>{assignment.title}</a>
          </p>
          <h1>Essay by {state.studentName}</h1>
          {state.previousSubmissionId && (
            <p className="muted">
              Revises <a href={`/submissions/${state.previousSubmissionId}`}>the previous draft</a>.
            </p>
          )}
        </div>
        <div className="header-badges">
          <span className={`status-chip status-${state.status}`} data-testid="submission-status" aria-live="polite">
            {statusText[state.status]}
          </span>
          <TransportBadge transport={transport} />
        </div>
      </header>

      {state.flag && <FlagNotice flag={state.flag} />}
      <GradingProgress rated={state.progress.rated} total={state.progress.total} status={state.status} />
      {error && state.status !== "graded" && (
        <p className="notice" data-testid="stream-error">
          {error}
        </p>
      )}
      <RaterSummary state={state} />

      {state.status === "failed" && state.errors.length > 0 && <FailedJobsPanel errors={state.errors} onRetry={retry} />}
      {state.grade && (
        <GradeSummary
          grade={state.grade}
          criterionOverrides={state.criterionOverrides}
          effectiveOverallScore={state.effectiveOverallScore}
          rubric={rubric}
          onSaveOverride={saveCriterionOverride}
        />
      )}

      <section aria-labelledby="lines-heading">
        <h2 id="lines-heading">Line by line</h2>
        <ol className="line-list" data-testid="line-list">
          {state.lines.map((line) => (
            <LineRatingRow
              key={line.index}
              line={line}
              scale={rubric.scale}
              criterionNames={criterionNames}
              isRevision={state.previousSubmissionId !== null}
              stopped={state.status === "failed"}
              onSaveOverride={saveLineOverride}
            />
          ))}
        </ol>
      </section>
    </div>
  );
}
