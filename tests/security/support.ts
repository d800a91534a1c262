import type { Sql } from "../../lib/db/sql";
import { createSubmission } from "../../lib/submissions/create-submission";
import { identityOnlyRater, makeEssay } from "../helpers/grading";

/** A submission of `lines` lines, with its jobs finished (or left pending) and its creation set `daysAgo` days back. */
export async function submissionAged(
  sql: Sql,
  assignmentId: string,
  options: { name: string; daysAgo: number; jobs?: "finished" | "pending"; lines?: number },
): Promise<string> {
  const { id } = await createSubmission(
    sql,
    { assignmentId, studentName: options.name, text: makeEssay(options.lines ?? 4, options.name) },
    { rater: identityOnlyRater },
  );
  await sql`update submissions set created_at = now() - make_interval(days => ${options.daysAgo}) where id = ${id}`;
  if ((options.jobs ?? "finished") === "finished") {
    await sql`
      update grading_jobs set status = 'completed', finished_at = now() - make_interval(days => ${options.daysAgo})
      where payload ->> 'submissionId' = ${id}
    `;
  }
  return id;
}

/** A class session created `daysAgo` days back holding these submissions. */
export async function sessionAged(sql: Sql, assignmentId: string, daysAgo: number, submissionIds: string[]): Promise<string> {
  const [session] = await sql<{ id: string }[]>`
    insert into grading_sessions (assignment_id, title, created_at)
    values (${assignmentId}, 'Period 3', now() - make_interval(days => ${daysAgo}))
    returning id
  `;
  if (submissionIds.length > 0) await sql`update submissions set session_id = ${session!.id} where id = any(${submissionIds}::uuid[])`;
  return session!.id;
}

export async function existing(sql: Sql, table: "submissions" | "grading_sessions", ids: string[]): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`select id from ${sql(table)} where id = any(${ids}::uuid[])`;
  return rows.map((row) => row.id).sort();
}
