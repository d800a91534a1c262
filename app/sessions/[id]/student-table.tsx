import Link from "next/link";
import type { SubmissionStatus } from "@/lib/submissions/submission-state";
import type { SessionSnapshot } from "@/lib/hooks/use-session-stream";
import { formatScore, STUDENT_STATUS_LABELS } from "../format-session";
import shared from "../sessions.module.css";
import { ProgressBar, type ProgressTone } from "./progress-bar";
import styles from "./session.module.css";

const TONE_BY_STATUS: Record<SubmissionStatus, ProgressTone> = { pending: "idle", grading: "active", graded: "ok", failed: "bad" };

function Score({ value, max }: { value: number | undefined | null; max?: number }) {
  if (value === null || value === undefined) {
    return (
      <>
        <span aria-hidden="true" className="muted">
          –
        </span>
        <span className="visually-hidden">not graded yet</span>
      </>
    );
  }
  return (
    <>
      {formatScore(value)}
      {max !== undefined && <span className={styles.outOf}> / {formatScore(max)}</span>}
    </>
  );
}

/** Each distinct error once, with how many of the student's jobs failed with it. */
function countErrors(errors: string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const error of errors) counts.set(error, (counts.get(error) ?? 0) + 1);
  return [...counts];
}

/** Every student of the session: status, progress, overall and per-criterion scores, errors, and a link to the essay. */
export function StudentTable({ session }: { session: SessionSnapshot }) {
  const { criteria, scale } = session.assignment.rubric;
  const columns = 4 + criteria.length;
  return (
    <div className={`${shared.tableScroll} ${styles.students}`} role="region" aria-labelledby="students-caption" tabIndex={0}>
      <table className={shared.table}>
        <caption id="students-caption">Students</caption>
        <thead>
          <tr>
            <th scope="col">Student</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col" className={shared.num}>
              Overall
            </th>
            {criteria.map((criterion) => (
              <th scope="col" key={criterion.id} className={shared.num} title={criterion.description || undefined}>
                {criterion.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {session.students.length === 0 ? (
            <tr>
              <td colSpan={columns} className={styles.emptyRow}>
                This session has no students.
              </td>
            </tr>
          ) : (
            session.students.map((student) => (
              <tr
                key={student.submissionId}
                data-testid="student-row"
                data-status={student.status}
                data-submission-id={student.submissionId}
              >
                <th scope="row" className={styles.studentName}>
                  <Link href={`/submissions/${student.submissionId}`} prefetch={false}>
                    {student.studentName}
                  </Link>
                </th>
                <td>
                  <span className={`status-chip status-${student.status} ${styles.studentStatus}`}>
                    {STUDENT_STATUS_LABELS[student.status]}
                  </span>
                  {student.errors.length > 0 && (
                    <ul className={styles.errors} aria-label={`Errors for ${student.studentName}`} data-testid="student-errors">
                      {countErrors(student.errors).map(([error, times]) => (
                        <li key={error} title={error}>
                          {error}
                          {times > 1 && <span className={styles.errorTimes}> (×{times})</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td className={styles.progressCell}>
                  <ProgressBar
                    rated={student.progress.rated}
                    total={student.progress.total}
                    tone={TONE_BY_STATUS[student.status]}
                    label={`Lines rated for ${student.studentName}`}
                  />
                  <span className={styles.progressText}>
                    {student.progress.rated} of {student.progress.total} lines
                  </span>
                </td>
                <td className={`${shared.num} ${styles.overall}`} data-testid="student-overall-score">
                  <Score value={student.overallScore} max={scale.max} />
                </td>
                {criteria.map((criterion) => (
                  <td key={criterion.id} className={shared.num} data-criterion={criterion.id}>
                    <Score value={student.criterionScores[criterion.id]} />
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
