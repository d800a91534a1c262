import Link from "next/link";
/** An id that is not an assignment. */
export default function AssignmentNotFound() {
  return (
    <div className="empty-state" data-testid="not-found">
      <h1>Assignment not found</h1>
      <p>There is no assignment with this id. It may have been deleted, or the link is incomplete.</p>
      <p>
        <Link href="/assignments">See all assignments</Link>
      </p>
    </div>
  );
}
