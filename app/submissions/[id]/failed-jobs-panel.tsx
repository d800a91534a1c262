"use client";

import { useState } from "react";
import type { SubmissionErrorView } from "@/lib/live/grading-stream-reducer";
import { errorMessageOf } from "@/lib/client/request-json";

const kindText: Record<string, string> = { rate_lines: "Rating lines", grade_submission: "Scoring the rubric" };

/** What failed for good, in the job's own words, and a Retry that resumes grading. */
export function FailedJobsPanel({ errors, onRetry }: { errors: readonly SubmissionErrorView[]; onRetry(): Promise<number> }) {
  const [retrying, setRetrying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const retry = async () => {
    setRetrying(true);
    setError(null);
    try {
      await onRetry();
    } catch (caught) {
      setError(`Retry failed: ${errorMessageOf(caught)}`);
    } finally {
      setRetrying(false);
    }
  };
  return (
    <section className="panel panel-bad" aria-labelledby="failed-heading" data-testid="failed-panel">
      <h2 id="failed-heading">Grading stopped</h2>
      <p>These jobs failed after every retry. Fix the cause if you can (an API key, a rate limit), then retry them.</p>
      <ul className="failed-errors" data-testid="failed-errors">
        {errors.map((job) => (
          <li key={job.jobId}>
            <strong>{kindText[job.kind] ?? job.kind}</strong> <span className="muted">(job {job.jobId})</span>: <code>{job.error}</code>
          </li>
        ))}
      </ul>
      <button type="button" className="button-primary" onClick={retry} disabled={retrying} data-testid="retry-button">
        {retrying ? "Retrying…" : "Retry"}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
