import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { loadAssignment } from "@/app/assignments/load-assignment";
import { AssignmentForm } from "@/app/assignments/assignment-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Edit assignment · Gradeline" };

export default async function EditAssignmentPage(props: PageProps<"/assignments/[id]/edit">) {
  const { id } = await props.params;
  const assignment = await loadAssignment(id);
  if (!assignment) notFound();
  return (
    <>
      <p className="eyebrow">
        <a href={`/assignments/${assignment.id}`}>{assignment.title}</a>
      </p>
      <h1>Edit assignment</h1>
      <p className="muted">
        Changing the rubric starts a new rubric version: essays graded before keep their grades, and cached ratings are not reused.
      </p>
      <AssignmentForm
        assignmentId={assignment.id}
        initial={{ title: assignment.title, prompt: assignment.prompt, rubric: assignment.rubric }}
      />
    </>
  );
}
