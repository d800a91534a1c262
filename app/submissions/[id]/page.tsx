import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { z } from "zod";
import { SubmissionLiveView } from "@/app/submissions/[id]/submission-live-view";
import { getSql } from "@/lib/db/server-sql";
import { getAssignmentContext } from "@/lib/assignments/assignments";
import { getSubmissionState } from "@/lib/submissions/submission-state";
import type { SubmissionSnapshot } from "@/lib/live/grading-stream-reducer";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Submission · Gradeline" };

async function loadSubmission(id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const sql = getSql();
  const state = await getSubmissionState(sql, id);
  if (!state) return null;
  const assignment = await getAssignmentContext(sql, state.assignmentId);
  if (!assignment) return null;
  // The same JSON the client gets from GET /api/submissions/:id, so the reducer sees one shape.
  const snapshot = JSON.parse(JSON.stringify(state)) as SubmissionSnapshot;
  return { snapshot, assignment };
}

/** Rendered with everything rated so far, so a reload mid-grading shows it at once; then it follows live. */
export default async function SubmissionPage(props: PageProps<"/submissions/[id]">) {
  const { id } = await props.params;
  const loaded = await loadSubmission(id);
  if (!loaded) notFound();
  const { snapshot, assignment } = loaded;
  return (
    <SubmissionLiveView initialState={snapshot} assignment={{ id: assignment.id, title: assignment.title, rubric: assignment.rubric }} />
  );
}
