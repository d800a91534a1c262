"use client";

import { useState } from "react";
import type { RecentFailure } from "@/lib/monitoring/monitoring-stats-schema";
import { formatAgo } from "./format-stats";
import { postJobAction, type JobAction } from "./post-job-action";

const ERROR_PREVIEW_CHARS = 160;

interface ActionMessage {
  tone: "ok" | "bad";
  text: string;
}

function ErrorText({ error }: { error: string | null }) {
  if (!error) return <span className="muted">no error recorded</span>;
  if (error.length <= ERROR_PREVIEW_CHARS && !error.includes("\n")) return <span className="error-text">{error}</span>;
  const preview = error.split("\n")[0]!.slice(0, ERROR_PREVIEW_CHARS);
  return (
    <details className="error-details">
      <summary className="error-text">{preview}…</summary>
      <pre>{error}</pre>
    </details>
  );
}

function describeOutcome(jobId: number, action: JobAction, status: string): string {
  return action === "retry" ? `Job ${jobId} was retried and is now ${status}.` : `Job ${jobId} is now ${status}.`;
}

/**
 * Failed jobs with their errors, and buttons to retry or cancel each through the job
 * API. The outcome, or the server's reason for refusing, is announced in one live
 * region above the table: a retried job leaves the table on the next refresh, and its
 * message must not leave with it.
 */
export function FailuresTable({
  failures,
  generatedAt,
  onChanged,
}: {
  failures: readonly RecentFailure[];
  generatedAt: string;
  onChanged: () => void;
}) {
  const [busyJobId, setBusyJobId] = useState<number | null>(null);
  const [message, setMessage] = useState<ActionMessage | null>(null);

  async function act(jobId: number, action: JobAction) {
    setBusyJobId(jobId);
    const result = await postJobAction(jobId, action);
    setBusyJobId(null);
    setMessage(
      result.ok
        ? { tone: "ok", text: describeOutcome(jobId, action, result.status) }
        : { tone: "bad", text: `Job ${jobId}: ${result.message}` },
    );
    if (result.ok) onChanged();
  }

  return (
    <>
      <p role="status" aria-live="polite" className={`action-message ${message?.tone ?? ""}`}>
        {message?.text}
      </p>
      {failures.length === 0 ? (
        <p className="all-clear">No failures — all clear.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="failures-caption" tabIndex={0}>
          <table className="data-table failures-table">
            <caption id="failures-caption">Failed jobs, newest first (up to 50)</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Job
                </th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Failed</th>
                <th scope="col">Submission</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((failure) => (
                <tr key={failure.id}>
                  <th scope="row" className="num">
                    {failure.id}
                  </th>
                  <td>
                    <code>{failure.kind}</code>
                  </td>
                  <td className="num">
                    {failure.attempts} / {failure.maxAttempts}
                  </td>
                  <td className="error-cell">
                    <ErrorText error={failure.lastError} />
                  </td>
                  <td className="nowrap">
                    {failure.finishedAt ? (
                      <time dateTime={failure.finishedAt} title={failure.finishedAt}>
                        {formatAgo(failure.finishedAt, generatedAt)}
                      </time>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    {failure.submissionId ? (
                      <code title={failure.submissionId}>{failure.submissionId.slice(0, 8)}</code>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button"
                      aria-label={`Retry job ${failure.id}`}
                      disabled={busyJobId === failure.id}
                      onClick={() => act(failure.id, "retry")}
                    >
                      Retry
                    </button>
                    <button
                      type="button"
                      className="button secondary"
                      aria-label={`Cancel job ${failure.id}`}
                      disabled={busyJobId === failure.id}
                      onClick={() => act(failure.id, "cancel")}
                    >
                      Cancel
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
