/** Shown while assignments load. */
export default function AssignmentsLoading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="visually-hidden">Loading…</p>
      <div className="skeleton skeleton-title" />
      {[0, 1, 2].map((key) => (
        <div key={key} className="card" aria-hidden="true">
          <div className="skeleton skeleton-text" />
          <div className="skeleton skeleton-text short" />
        </div>
      ))}
    </div>
  );
}
