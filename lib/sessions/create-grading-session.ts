import type { Sql } from "../db/sql";
import { getAssignmentContext } from "../grading/assignments";
import { AssignmentNotFoundError, insertSubmission } from "../grading/create-submission";
import { recordPhraseHits } from "../grading/phrase-cache";
import type { Rater } from "../grading/raters/rater";
import { splitLines, SubmissionTextError } from "../grading/split-lines";
import type { SubmissionLine } from "../grading/schemas";

export const MAX_SESSION_STUDENTS = 200;

export interface SessionStudentInput {
  studentName: string;
  text: string;
  /** Where the essay came from (file name or CSV row), for error messages. */
  source: string;
}

export class SessionInputError extends Error {
  override name = "SessionInputError";
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

/**
 * Starts grading a whole class: one session, one submission per student, all in one
 * transaction. Every essay is checked first; if any cannot be graded nothing is
 * written and the error lists each problem by file or row.
 */
export async function createGradingSession(
  sql: Sql,
  input: { assignmentId: string; title: string; students: SessionStudentInput[]; teacherId?: string | null },
  rater: Rater,
): Promise<{ id: string; submissionIds: string[] }> {
  if (input.students.length === 0) throw new SessionInputError("Add at least one essay to start a session.", []);
  if (input.students.length > MAX_SESSION_STUDENTS) {
    throw new SessionInputError(`A session holds at most ${MAX_SESSION_STUDENTS} essays; this one has ${input.students.length}.`, []);
  }
  const assignment = await getAssignmentContext(sql, input.assignmentId);
  if (!assignment) throw new AssignmentNotFoundError(`No assignment with id ${input.assignmentId}.`);

  const problems: string[] = [];
  const prepared: Array<SessionStudentInput & { lines: SubmissionLine[] }> = [];
  for (const student of input.students) {
    if (!student.studentName.trim()) problems.push(`${student.source}: the student's name is missing.`);
    try {
      prepared.push({ ...student, lines: splitLines(student.text) });
    } catch (error) {
      if (!(error instanceof SubmissionTextError)) throw error;
      problems.push(`${student.source}: ${error.message}`);
    }
  }
  const hitKeys: string[] = [];
  if (problems.length > 0) {
    throw new SessionInputError(`${problems.length} of ${input.students.length} essays cannot be graded; nothing was started.`, problems);
  }

  const session = await sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into grading_sessions (assignment_id, title, teacher_id)
      values (${input.assignmentId}, ${input.title}, ${input.teacherId ?? null})
      returning id
    `;
    const submissionIds: string[] = [];
    for (const student of prepared) {
      const created = await insertSubmission(
        tx,
        { assignmentId: input.assignmentId, studentName: student.studentName.trim(), text: student.text, lines: student.lines, sessionId: row!.id },
        assignment,
        rater,
      );
      submissionIds.push(created.id);
      hitKeys.push(...created.cacheHitKeys);
    }
    return { id: row!.id, submissionIds };
  });
  await recordPhraseHits(sql, hitKeys);
  return session;
}
