import type { SubmissionStatus } from "@/lib/submissions/submission-state";
import type { SessionStatus } from "@/lib/sessions/get-session-state";

export const SESSION_STATUS_LABELS: Record<SessionStatus, string> = {
  pending: "Waiting to start",
  grading: "Grading…",
  completed: "Completed",
  completed_with_failures: "Completed with failures",
};

export const STUDENT_STATUS_LABELS: Record<SubmissionStatus, string> = {
  pending: "Waiting",
  grading: "Grading",
  graded: "Graded",
  failed: "Failed",
};

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "Nov 23, 2026, 11:47 AM UTC": formatted on the server, so the page hydrates without a time-zone mismatch. */
export function formatCreatedAt(value: Date | string): string {
  return `${dateFormat.format(new Date(value))} UTC`;
}

/** Scores as the rubric writes them: at most two decimals, no trailing zeros. */
export function formatScore(score: number): string {
  return String(Math.round(score * 100) / 100);
}

export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function pluralize(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
