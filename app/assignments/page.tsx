import Link from "next/link";
import type { Metadata } from "next";
import { getSql } from "@/lib/db/server-sql";
import { listAssignments } from "@/lib/assignments/assignments";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Assignments · Gradeline" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

export default async function AssignmentsPage() {
  const assignments = await listAssignments(getSql());
  return (
    <>
      <header className="page-header">
        <h1>Assignments</h1>
        <Link className="button button-primary" href="/assignments/new" data-testid="new-assignment">
          New assignment
        </Link>
      </header>
      {assignments.length === 0 ? (
        <div className="empty-state" data-testid="assignments-empty">
          <h2>No assignments yet</h2>
          <p>An assignment holds the prompt students answer and the rubric their essays are graded against.</p>
          <Link className="button button-primary" href="/assignments/new">
            Create the first assignment
          </Link>
        </div>
      ) : (
        <ul className="card-list" data-testid="assignment-list">
          {assignments.map((assignment) => (
            <li key={assignment.id} className="card" data-testid="assignment-item" data-assignment-id={assignment.id}>
              <h2 className="card-title">
                <Link href={`/assignments/${assignment.id}`}>{assignment.title}</Link>
              </h2>
              {assignment.prompt && <p className="clamp">{assignment.prompt}</p>}
              <p className="muted">
                {assignment.criteria} {assignment.criteria === 1 ? "criterion" : "criteria"} · {assignment.submissions}{" "}
                {assignment.submissions === 1 ? "submission" : "submissions"} · updated {dateFormat.format(assignment.updatedAt)}
              </p>
              <p className="actions">
                <Link href={`/assignments/${assignment.id}/submit`}>
                  Submit an essay<span className="visually-hidden"> for {assignment.title}</span>
                </Link>
                <Link href={`/assignments/${assignment.id}/edit`}>
                  Edit<span className="visually-hidden"> {assignment.title}</span>
                </Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
