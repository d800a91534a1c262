"use client";

import { useState } from "react";
import { pluralize } from "../format-session";
import styles from "./session.module.css";

/** Runs every failed job of the failed students again (POST /api/submissions/:id/retry), then listens again. */
export function RetryFailedButton({ submissionIds, onRetried }: { submissionIds: string[]; onRetried: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const retry = async () => {
    setBusy(true);
    setError(null);
    const results = await Promise.allSettled(
      submissionIds.map(async (id) => {
        const response = await fetch(`/api/submissions/${id}/retry`, { method: "POST" });
        if (!response.ok)
          throw new Error(
            ((await response.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message ??
              `HTTP ${response.status}`,
          );
      }),
    );
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failures.length > 0)
      setError(`${pluralize(failures.length, "essay")} could not be retried: ${(failures[0]!.reason as Error).message}`);
    if (failures.length < results.length) onRetried();
    setBusy(false);
  };

  return (
    <>
      <button type="button" className="button" onClick={retry} disabled={busy} data-testid="retry-failed">
        {busy ? "Retrying…" : `Retry ${pluralize(submissionIds.length, "failed essay")}`}
      </button>
      {error && (
        <p role="alert" className={styles.problem}>
          {error}
        </p>
      )}
    </>
  );
}
