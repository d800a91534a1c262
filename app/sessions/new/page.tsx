import type { Metadata } from "next";
import Link from "next/link";
import { getSql } from "@/lib/db/server-sql";
import { listAssignments } from "@/lib/assignments/assignments";
import styles from "../sessions.module.css";
import { NewSessionForm, type AssignmentOption } from "./new-session-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Start a class session · Gradeline" };

async function loadAssignments(): Promise<{ assignments: AssignmentOption[] } | { error: string }> {
  try {
    const assignments = await listAssignments(getSql());
    return { assignments: assignments.map(({ id, title, criteria }) => ({ id, title, criteria })) };
  } catch (error) {
    console.error("[sessions/new] could not list assignments", error);
    return { error: "The assignments could not be loaded: the database did not answer. Reload the page to try again." };
  }
}

export default async function NewSessionPage() {
  const result = await loadAssignments();
  return (
    <>
      <div className={`page-header ${styles.header}`}>
        <div>
          <p className={styles.subtitle}>
            <Link href="/sessions">Class sessions</Link> /
          </p>
          <h1>Start a class session</h1>
          <p className={styles.subtitle}>
            Upload every student&apos;s essay at once; each is graded line by line against the assignment&apos;s rubric.
          </p>
        </div>
      </div>
      {"error" in result ? (
        <div className="error-summary" role="alert">
          <p>{result.error}</p>
        </div>
      ) : result.assignments.length === 0 ? (
        <section className="empty-state" aria-labelledby="no-assignments">
          <h2 id="no-assignments">No assignments yet</h2>
          <p>
            A session grades essays against an assignment&apos;s rubric. Create an assignment first, then come back to upload the
            class&apos;s essays.
          </p>
        </section>
      ) : (
        <NewSessionForm assignments={result.assignments} />
      )}
    </>
  );
}
