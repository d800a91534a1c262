import Link from "next/link";
/** An id that is not a submission (or not a UUID at all). */
export default function SubmissionNotFound() {
  return (
    <div className="empty-state" data-testid="not-found">
      <h1>Submission not found</h1>
      <p>There is no submission with this id. It may have been deleted, or the link is incomplete.</p>
      <p>
        <Link href="/assignments">Go to assignments</Link>
      </p>
    </div>
  );
}
