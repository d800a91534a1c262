import "./monitor.css";

/** Shown (streamed at once) while the server reads the first numbers. */
export default function MonitorLoading() {
  return (
    <div className="monitor">
      <h1>Monitor</h1>
      <p role="status" className="muted">
        Loading queue statistics…
      </p>
    </div>
  );
}
