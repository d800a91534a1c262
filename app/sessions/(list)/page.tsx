import type { Metadata } from "next";
import Link from "next/link";
import { getSql } from "@/lib/db/server-sql";
import { listSessions } from "@/lib/sessions/get-session-state";
import { formatCreatedAt } from "../format-session";
import styles from "../sessions.module.css";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Class sessions · Gradeline" };

type SessionRow = Awaited<ReturnType<typeof listSessions>>[number];

async function loadSessions(): Promise<{ sessions: SessionRow[] } | { error: string }> {
  try {
    return { sessions: await listSessions(getSql()) };
  } catch (error) {
    console.error("[sessions] could not list sessions", error);
    return { error: "The sessions could not be loaded: the database did not answer. Reload the page to try again." };
  }
}

export default async function SessionsPage() {
  const result = await loadSessions();
  return (
    <>
      <div className={`page-header ${styles.header}`}>
        <div>
          <h1>Class sessions</h1>
          <p className={styles.subtitle}>Grade a whole class at once and watch each student&apos;s essay as it is graded.</p>
        </div>
        <Link href="/sessions/new" className="button button-primary">
          Start a class session
        </Link>
      </div>
      {"error" in result ? (
        <div className="error-summary" role="alert">
          <p>{result.error}</p>
        </div>
      ) : result.sessions.length === 0 ? (
        <section className="empty-state" aria-labelledby="no-sessions">
          <h2 id="no-sessions">No class sessions yet</h2>
          <p>
            Upload a class&apos;s essays (.txt, .docx or one CSV) for an assignment, and Gradeline grades them line by line in the
            background.
          </p>
          <Link href="/sessions/new" className="button button-primary">
            Start a class session
          </Link>
        </section>
      ) : (
        <div className={styles.tableScroll}>
          <table className={styles.table} data-testid="sessions-table">
            <caption className="visually-hidden">Class sessions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Assignment</th>
                <th scope="col" className={styles.num}>
                  Students
                </th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {result.sessions.map((session) => (
                <tr key={session.id} data-testid="session-row">
                  <th scope="row">
                    <Link href={`/sessions/${session.id}`}>{session.title}</Link>
                  </th>
                  <td>{session.assignment_title}</td>
                  <td className={styles.num}>{session.students}</td>
                  <td>
                    <time dateTime={new Date(session.created_at).toISOString()}>{formatCreatedAt(session.created_at)}</time>
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
