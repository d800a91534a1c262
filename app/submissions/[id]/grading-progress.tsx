"use client";

import { formatSecondsLeft } from "@/lib/live/estimate-seconds-left";
import { useSecondsLeft } from "@/lib/hooks/use-seconds-left";
import type { SubmissionStatus } from "@/lib/submissions/submission-state";

interface GradingProgressProps {
  rated: number;
  total: number;
  status: SubmissionStatus;
}

function remainingText(status: SubmissionStatus, rated: number, total: number, secondsLeft: number | null): string {
  if (status === "graded") return "Graded.";
  if (status === "failed") return "Stopped: some lines could not be rated.";
  if (rated >= total) return "All lines rated; scoring the rubric…";
  if (status === "pending" && rated === 0) return "Waiting for a grader to pick this up…";
  return secondsLeft === null ? "Estimating time left…" : `${formatSecondsLeft(secondsLeft)}.`;
}

/** The progress bar, "N of M lines rated", and time left from the rate ratings are landing at. */
export function GradingProgress({ rated, total, status }: GradingProgressProps) {
  const active = status === "pending" || status === "grading";
  const secondsLeft = useSecondsLeft(rated, total, active && rated < total);
  return (
    <div className="grading-progress">
      <div className="progress-line">
        <label htmlFor="grading-progress-bar" data-testid="progress-text">
          {rated} of {total} lines rated
        </label>
        <span className="muted" data-testid="time-left">
          {remainingText(status, rated, total, secondsLeft)}
        </span>
      </div>
      <progress id="grading-progress-bar" max={Math.max(total, 1)} value={rated} data-testid="progress-bar">
        {rated} of {total}
      </progress>
    </div>
  );
}
