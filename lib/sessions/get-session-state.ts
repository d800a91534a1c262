import type { SqlExecutor } from "../db/sql";
import type { Rubric } from "../assignments/rubric";
import { listSubmissionJobs } from "../submissions/submission-jobs";
import { effectiveOverallScore, hasGrade, submissionStatus, type SubmissionStatus } from "../submissions/submission-state";

export type SessionStatus = "pending" | "grading" | "completed" | "completed_with_failures";

export interface SessionStudent {
  submissionId: string;
  studentName: string;
  status: SubmissionStatus;
  progress: { rated: number; total: number };
  /** With teachers' criterion overrides applied; null until graded. */
  overallScore: number | null;
  criterionScores: Record<string, number>;
  errors: string[];
}

export interface SessionState {
  id: string;
  title: string;
  createdAt: Date;
  assignment: { id: string; title: string; rubric: Rubric };
  status: SessionStatus;
  counts: Record<SubmissionStatus, number>;
  students: SessionStudent[];
}

/** All graded → completed; any failed with none still running → completed with failures. */
export function deriveSessionStatus(counts: Record<SubmissionStatus, number>): SessionStatus {
  const total = counts.pending + counts.grading + counts.graded + counts.failed;
  if (total > 0 && counts.graded === total) return "completed";
  if (counts.failed > 0 && counts.pending + counts.grading === 0) return "completed_with_failures";
  if (counts.grading > 0 || counts.graded > 0 || counts.failed > 0) return "grading";
  return "pending";
}

interface StudentRow {
  id: string;
  student_name: string;
  line_count: number;
  rated: number;
  graded_at: Date | null;
  scores: Array<{ criterionId: string; score: number }> | null;
  overall_score: string | null;
  overrides: Array<{ criterionId: string; score: number }> | null;
}

/** A session with every student's status, progress and score, in one round of queries. */
export async function getSessionState(sql: SqlExecutor, sessionId: string): Promise<SessionState | null> {
  const [session] = await sql<
    { id: string; title: string; created_at: Date; assignment_id: string; assignment_title: string; rubric: Rubric }[]
  >`
    select s.id, s.title, s.created_at, a.id as assignment_id, a.title as assignment_title, a.rubric
    from grading_sessions s join assignments a on a.id = s.assignment_id
    where s.id = ${sessionId}
  `;
  if (!session) return null;
  const rows = await sql<StudentRow[]>`
    select sub.id, sub.student_name, sub.line_count, sub.graded_at, sub.scores, sub.overall_score,
      (select count(*)::int from line_ratings r where r.submission_id = sub.id) as rated,
      (select jsonb_agg(jsonb_build_object('criterionId', o.criterion_id, 'score', o.score)) from criterion_overrides o
        where o.submission_id = sub.id) as overrides
    from submissions sub
    where sub.session_id = ${sessionId}
    order by sub.student_name, sub.created_at
  `;
  const jobsBySubmission = await listSubmissionJobs(
    sql,
    rows.map((row) => row.id),
  );
  const counts: Record<SubmissionStatus, number> = { pending: 0, grading: 0, graded: 0, failed: 0 };
  const students = rows.map((row): SessionStudent => {
    const jobs = jobsBySubmission.get(row.id)!;
    const graded = hasGrade(row);
    const status = submissionStatus(row, jobs);
    counts[status]++;
    const overrides = (row.overrides ?? []).map((o) => ({ criterionId: o.criterionId, score: Number(o.score) }));
    const overridden = new Map(overrides.map((o) => [o.criterionId, o.score]));
    return {
      submissionId: row.id,
      studentName: row.student_name,
      status,
      progress: { rated: row.rated, total: row.line_count },
      overallScore: graded ? effectiveOverallScore({ overallScore: Number(row.overall_score), criteria: row.scores! }, overrides) : null,
      criterionScores: Object.fromEntries((row.scores ?? []).map((c) => [c.criterionId, overridden.get(c.criterionId) ?? c.score])),
      errors: jobs.failed.map((job) => job.error),
    };
  });
  return {
    id: session.id,
    title: session.title,
    createdAt: session.created_at,
    assignment: { id: session.assignment_id, title: session.assignment_title, rubric: session.rubric },
    status: deriveSessionStatus(counts),
    counts,
    students,
  };
}

export async function listSessions(sql: SqlExecutor, limit = 50) {
  return sql<{ id: string; title: string; created_at: Date; assignment_title: string; students: number }[]>`
    select s.id, s.title, s.created_at, a.title as assignment_title,
           (select count(*)::int from submissions sub where sub.session_id = s.id) as students
    from grading_sessions s join assignments a on a.id = s.assignment_id
    order by s.created_at desc limit ${limit}
  `;
}
