import { getSql } from "@/lib/db/server-sql";
import { countJobs, type QueueCounts } from "@/lib/queue/manage-jobs";

export const dynamic = "force-dynamic";

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
      <p>Line-by-line feedback on student writing, graded in the background and shown as each line lands.</p>
      <section className="panel" aria-labelledby="queue-heading">
        <h2 id="queue-heading">Grading queue</h2>
        {"error" in queue ? (
          <p className="error" role="alert">The database could not be reached: {queue.error}</p>
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
