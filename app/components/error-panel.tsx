"use client";

import { useEffect } from "react";

interface ErrorPanelProps {
  title: string;
  error: unknown;
  retry: () => void;
}

/** The body of every error.tsx: what failed, the digest to quote, and Try again. */
export function ErrorPanel({ title, error, retry }: ErrorPanelProps) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  // Server errors reach the browser without their message in production, only a digest to match the logs.
  const digest = error instanceof Error && "digest" in error ? String((error as Error & { digest?: string }).digest) : null;
  return (
    <div className="panel panel-bad" role="alert" data-testid="error-panel">
      <h1>{title}</h1>
      <p>Something went wrong on our side. It may be temporary (the database restarting, for example).</p>
      {digest && (
        <p className="muted">
          Error reference: <code>{digest}</code>
        </p>
      )}
      <button type="button" className="button-primary" onClick={() => retry()}>
        Try again
      </button>
    </div>
  );
}
