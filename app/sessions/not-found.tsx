import Link from "next/link";

export default function SessionNotFound() {
  return (
    <section className="empty-state" aria-labelledby="session-not-found" data-testid="session-not-found">
      <h1 id="session-not-found">Session not found</h1>
      <p>There is no class session at this address. It may have been deleted, or the link may be incomplete.</p>
      <Link href="/sessions" className="button button-primary">
        See all class sessions
      </Link>
    </section>
  );
}
