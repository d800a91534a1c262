import Link from "next/link";
import type { Metadata } from "next";
import { AssignmentForm } from "@/app/assignments/assignment-form";

export const metadata: Metadata = { title: "New assignment · Gradeline" };

export default function NewAssignmentPage() {
  return (
    <>
      <p className="eyebrow">
        <Link href="/assignments">Assignments</Link>
      </p>
      <h1>New assignment</h1>
      <AssignmentForm initial={null} />
    </>
  );
}
