import Link from "next/link";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { loadAssignment } from "@/app/assignments/load-assignment";
import { RubricTable } from "@/app/assignments/[id]/rubric-table";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Assignment · Gradeline" };

export default async function AssignmentPage(props: PageProps<"/assignments/[id]">) {
  const { id } = await props.params;
  const assignment = await loadAssignment(id);
  if (!assignment) notFound();
  return (
    <>
      <p className="eyebrow">
        <Link href="/assignments">Assignments</Link>
      </p>
      <header className="page-header">
        <h1>{assignment.title}</h1>
        <p className="actions">
          <Link className="button button-primary" href={`/assignments/${assignment.id}/submit`} data-testid="submit-link">
            Submit an essay
          </Link>
          <Link className="button" href={`/assignments/${assignment.id}/edit`} data-testid="edit-link">
            Edit
          </Link>
        </p>
      </header>
      {assignment.prompt && (
        <section aria-labelledby="prompt-heading">
          <h2 id="prompt-heading">Prompt</h2>
          <p className="prose">{assignment.prompt}</p>
        </section>
      )}
      <section aria-labelledby="rubric-heading">
        <h2 id="rubric-heading">Rubric</h2>
        <p className="muted">
          Scores from {assignment.rubric.scale.min} to {assignment.rubric.scale.max} · version {assignment.rubricVersion}
        </p>
        <RubricTable rubric={assignment.rubric} />
      </section>
    </>
  );
}
