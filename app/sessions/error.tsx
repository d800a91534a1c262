"use client";

import Link from "next/link";
import { useEffect } from "react";

export default function SessionsError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && "digest" in error ? String(error.digest) : null;
  return (
    <div className="error-summary" role="alert" data-testid="sessions-error">
      <h2>This page could not be loaded</h2>
      <p>The server or the database did not answer. Essays already uploaded are safe, and grading carries on in the background.</p>
      {digest && <p className="muted">Reference: {digest}</p>}
      <p className="actions">
        <button type="button" className="button button-primary" onClick={() => retry()}>
          Try again
        </button>
        <Link href="/sessions" className="button">
          All class sessions
        </Link>
      </p>
    </div>
  );
}
