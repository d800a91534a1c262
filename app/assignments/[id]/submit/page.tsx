import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { loadAssignment } from "@/app/assignments/load-assignment";
import { SubmitEssayForm } from "@/app/assignments/[id]/submit/submit-essay-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Submit an essay · Gradeline" };

export default async function SubmitEssayPage(props: PageProps<"/assignments/[id]/submit">) {
  const { id } = await props.params;
  const assignment = await loadAssignment(id);
  if (!assignment) notFound();
  return (
    <>
      <p className="eyebrow">
        <a href={`/assignments/${assignment.id}`}>{assignment.title}</a>
      </p>
      <h1>Submit an essay</h1>
      {assignment.prompt && (
        <blockquote className="prompt" aria-label="Prompt">
          {assignment.prompt}
        </blockquote>
      )}
      <SubmitEssayForm assignmentId={assignment.id} />
    </>
  );
}
