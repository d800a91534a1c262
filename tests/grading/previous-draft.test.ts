import { describe, expect, it } from "vitest";
import { createSubmission } from "../../lib/submissions/create-submission";
import { createGradingSession } from "../../lib/sessions/create-grading-session";
import { freshDatabasePerFile } from "../helpers/db";
import { createTestAssignment, identityOnlyRater, makeEssay } from "../helpers/grading";

const db = freshDatabasePerFile();
const rater = identityOnlyRater;

describe("finding the draft a submission revises", () => {
  it("links a student's resubmission to their previous draft, never to a namesake in another class", async () => {
    const sql = db.current.sql;
    const assignment = await createTestAssignment(sql);
    const first = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Alex Kim", text: makeEssay(4, "alex-1") },
      { rater },
    );
    const revised = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Alex Kim", text: makeEssay(4, "alex-2") },
      { rater },
    );
    expect(revised.previousSubmissionId).toBe(first.id);

    const session = await createGradingSession(
      sql,
      {
        assignmentId: assignment.id,
        title: "Period 5",
        students: [{ studentName: "Alex Kim", text: makeEssay(4, "other-alex"), source: "alex.txt" }],
      },
      { rater },
    );
    const [inSession] = await sql<{ previous_submission_id: string | null }[]>`
      select previous_submission_id from submissions where id = ${session.submissionIds[0]!}
    `;
    expect(inSession!.previous_submission_id).toBeNull();

    const studentId = "22222222-2222-4222-8222-222222222222";
    await sql`insert into auth.users (id) values (${studentId})`;
    const withId = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "Alex Kim", studentId, text: makeEssay(4, "alex-id") },
      { rater },
    );
    expect(withId.previousSubmissionId).toBeNull(); // a signed-in student's drafts are theirs alone
    const withIdAgain = await createSubmission(
      sql,
      { assignmentId: assignment.id, studentName: "A. Kim", studentId, text: makeEssay(4, "alex-id-2") },
      { rater },
    );
    expect(withIdAgain.previousSubmissionId).toBe(withId.id);
  });
});
