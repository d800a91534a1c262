"use client";

import Link from "next/link";
import type { SubmissionStatus } from "@/lib/submissions/submission-state";
import { useSessionStream, type SessionSnapshot, type SessionTransport } from "@/lib/hooks/use-session-stream";
import { pluralize, SESSION_STATUS_LABELS } from "../format-session";
import shared from "../sessions.module.css";
import { ProgressBar } from "./progress-bar";
import { RetryFailedButton } from "./retry-failed-button";
import styles from "./session.module.css";
import { StudentTable } from "./student-table";

const TRANSPORT_LABELS: Record<SessionTransport, { text: string; title: string }> = {
  live: { text: "Live", title: "Updates stream in as each line is graded." },
  polling: { text: "Polling", title: "The live stream dropped; refreshing every 2 seconds and reconnecting." },
  done: { text: "Final", title: "Grading has finished; these results no longer change on their own." },
};

const COUNT_LABELS: Array<{ key: SubmissionStatus; label: string }> = [
  { key: "pending", label: "Waiting" },
  { key: "grading", label: "Grading" },
  { key: "graded", label: "Graded" },
  { key: "failed", label: "Failed" },
];

export function SessionView({ initial, createdLabel }: { initial: SessionSnapshot; createdLabel: string }) {
  const { session, transport, problem, resume } = useSessionStream(initial);
  const failedIds = session.students.filter((student) => student.status === "failed").map((student) => student.submissionId);
  const rated = session.students.reduce((sum, student) => sum + student.progress.rated, 0);
  const total = session.students.reduce((sum, student) => sum + student.progress.total, 0);
  const transportLabel = TRANSPORT_LABELS[transport];

  return (
    <>
      <div className={`page-header ${shared.header}`}>
        <div>
          <p className={shared.subtitle}>
            <Link href="/sessions">Class sessions</Link> /
          </p>
          <h1>{session.title}</h1>
          <p className={shared.subtitle}>
            {session.assignment.title} · {pluralize(session.students.length, "student")} · started{" "}
            <time dateTime={session.createdAt}>{createdLabel}</time>
          </p>
        </div>
        <div className="actions">
          <span
            role="status"
            className={`transport-badge transport-${transport}`}
            data-transport={transport}
            data-testid="session-transport-badge"
            title={transportLabel.title}
          >
            <span className="transport-dot" aria-hidden="true" />
            {transportLabel.text}
          </span>
          {failedIds.length > 0 && <RetryFailedButton submissionIds={failedIds} onRetried={() => transport === "done" && resume()} />}
          <a href={`/api/sessions/${session.id}/export`} className="button" data-testid="export-csv" download>
            Export grades (CSV)
          </a>
        </div>
      </div>

      <section className={`panel ${styles.summary}`} aria-label="Session progress">
        <div className={styles.statusLine}>
          <span className={styles.sessionStatus} data-testid="session-status" data-status={session.status} aria-live="polite">
            {SESSION_STATUS_LABELS[session.status]}
          </span>
          <span className="muted">
            {rated} of {total} lines rated
          </span>
        </div>
        <ProgressBar
          rated={rated}
          total={total}
          tone={session.status === "completed_with_failures" ? "bad" : session.status === "completed" ? "ok" : "active"}
          label="Lines rated in this session"
          large
        />
        <dl className={`stat-grid ${styles.counts}`}>
          {COUNT_LABELS.map(({ key, label }) => (
            <div className="stat" key={key} data-testid={`session-count-${key}`} data-count={session.counts[key]}>
              <dt>{label}</dt>
              <dd className={key === "failed" && session.counts.failed > 0 ? "error" : undefined}>{session.counts[key]}</dd>
            </div>
          ))}
        </dl>
        {problem && <p className={styles.problem}>{problem}</p>}
      </section>

      <StudentTable session={session} />
    </>
  );
}
