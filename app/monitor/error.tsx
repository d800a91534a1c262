"use client";

import "./monitor.css";

/** A render error on the monitor becomes a message and a way back, not a blank page. */
export default function MonitorError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="monitor">
      <h1>Monitor</h1>
      <div className="banner bad" role="alert">
        <strong>The monitor failed to render.</strong> {error.digest ? `(reference ${error.digest}) ` : ""}Try again; if it keeps failing,
        the server log has the details.
      </div>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
