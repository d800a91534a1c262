import Link from "next/link";
import { getSql } from "@/lib/db/server-sql";
import { countJobs, type QueueCounts } from "@/lib/queue/manage-jobs";

export const dynamic = "force-dynamic";

/** Seeded by supabase/seed.sql on every `npm start`. */
const DEMO_ASSIGNMENT_ID = "00000000-0000-4000-8000-000000000001";

async function loadQueueCounts(): Promise<{ counts: QueueCounts } | { error: string }> {
  try {
    return { counts: await countJobs(getSql()) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export default async function HomePage() {
  const queue = await loadQueueCounts();
  return (
    <>
      <h1>Gradeline</h1>
      <p className="lead">Line-by-line feedback on student writing, graded in the background and shown as each line lands.</p>
      <section aria-labelledby="how-heading" className="how">
        <h2 id="how-heading" className="visually-hidden">
          How it works
        </h2>
        <ol className="steps">
          <li>
            <strong>A teacher sets an assignment</strong> with a prompt and a rubric: criteria, each with scored levels.
          </li>
          <li>
            <strong>A student submits an essay</strong>, pasted or uploaded as .txt or .docx. Each line is rated on its own against the
            rubric.
          </li>
          <li>
            <strong>Ratings appear as they land.</strong> When every line is rated, each criterion is scored with a rationale, and the
            teacher can override any rating.
          </li>
        </ol>
        <p className="actions">
          <Link className="button button-primary" href={`/assignments/${DEMO_ASSIGNMENT_ID}/submit`} data-testid="demo-submit-link">
            Submit an essay to the demo assignment
          </Link>
          <Link className="button" href="/assignments">
            Assignments
          </Link>
        </p>
      </section>
      <section className="panel" aria-labelledby="queue-heading">
        <h2 id="queue-heading">Grading queue</h2>
        {"error" in queue ? (
          <p className="error" role="alert">
            The database could not be reached: {queue.error}
          </p>
        ) : (
          <dl className="stat-grid">
            {(["runnable", "processing", "completed", "failed", "cancelled"] as const).map((key) => (
              <div className="stat" key={key}>
                <dt>{key}</dt>
                <dd>{queue.counts[key]}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </>
  );
}
