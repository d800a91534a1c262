import type { Metadata } from "next";
import { AssignmentForm } from "@/app/assignments/assignment-form";

export const metadata: Metadata = { title: "New assignment · Gradeline" };

export default function NewAssignmentPage() {
  return (
    <>
      <p className="eyebrow">
        <a href="/assignments">Assignments</a>
      </p>
      <h1>New assignment</h1>
      <AssignmentForm initial={null} />
    </>
  );
}
