import { stringify } from "csv-stringify/sync";
import type { SessionState } from "./get-session-state";

/**
 * One row per student: name, status, overall score, each criterion's score (teacher overrides applied).
 *
 * Student names come from uploads, so a name like `=HYPERLINK(…)` would run as a formula
 * in the teacher's spreadsheet (OWASP "CSV injection", #9). csv-stringify's
 * `escape_formulas` prefixes with `'` every text cell that starts with = + - @, a tab
 * or a carriage return (and their full-width forms); number cells are left alone, so
 * scores must stay numbers here (a negative score is a number, not a formula).
 */
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
  return stringify([header, ...rows], { escape_formulas: true });
}
