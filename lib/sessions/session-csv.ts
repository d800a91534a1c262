import { stringify } from "csv-stringify/sync";
import type { SessionState } from "./get-session-state";

/** One row per student: name, status, overall score, each criterion's score (teacher overrides applied). */
export function sessionGradesCsv(session: SessionState): string {
  const criteria = session.assignment.rubric.criteria;
  const header = [
    "student",
    "status",
    "overall_score",
    ...criteria.map((criterion) => criterion.id),
    "lines_rated",
    "lines_total",
    "submission_id",
  ];
  const rows = session.students.map((student) => [
    student.studentName,
    student.status,
    student.overallScore ?? "",
    ...criteria.map((criterion) => student.criterionScores[criterion.id] ?? ""),
    student.progress.rated,
    student.progress.total,
    student.submissionId,
  ]);
  return stringify([header, ...rows]);
}
