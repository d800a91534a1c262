import { isStorableText, STORABLE_TEXT_MESSAGE } from "../submissions/control-characters";
import type { SqlExecutor } from "../db/sql";
import { z } from "zod";
import { rubricSchema, type Rubric } from "./rubric";

/** An assignment as the raters and the phrase cache see it: what is graded, against which rubric. */
export interface AssignmentContext {
  id: string;
  title: string;
  prompt: string;
  rubric: Rubric;
  rubricVersion: number;
}

interface AssignmentRow {
  id: string;
  title: string;
  prompt: string;
  rubric: unknown;
  rubric_version: number;
}

export class InvalidStoredRubricError extends Error {
  override name = "InvalidStoredRubricError";
}

function toContext(row: AssignmentRow): AssignmentContext {
  const rubric = rubricSchema.safeParse(row.rubric);
  if (!rubric.success) {
    throw new InvalidStoredRubricError(`assignment ${row.id} has an invalid rubric: ${rubric.error.issues[0]?.message}`);
  }
  return { id: row.id, title: row.title, prompt: row.prompt, rubric: rubric.data, rubricVersion: row.rubric_version };
}

export async function getAssignmentContext(sql: SqlExecutor, assignmentId: string): Promise<AssignmentContext | null> {
  const [row] = await sql<AssignmentRow[]>`
    select id, title, prompt, rubric, rubric_version from assignments where id = ${assignmentId}
  `;
  return row ? toContext(row) : null;
}

export interface CreateAssignmentInput {
  id?: string;
  title: string;
  prompt?: string;
  rubric: Rubric;
  teacherId?: string | null;
}

export async function createAssignment(sql: SqlExecutor, input: CreateAssignmentInput): Promise<AssignmentContext> {
  const rubric = rubricSchema.parse(input.rubric);
  const [row] = await sql<AssignmentRow[]>`
    insert into assignments (id, title, prompt, rubric, teacher_id)
    values (coalesce(${input.id ?? null}::uuid, gen_random_uuid()), ${input.title}, ${input.prompt ?? ""},
            ${sql.json(rubric as never)}, ${input.teacherId ?? null})
    returning id, title, prompt, rubric, rubric_version
  `;
  return toContext(row!);
}

/** Replaces the rubric and bumps its version, so ratings cached under the old one miss. */
export async function updateAssignmentRubric(sql: SqlExecutor, assignmentId: string, rubric: Rubric): Promise<AssignmentContext | null> {
  const parsed = rubricSchema.parse(rubric);
  const [row] = await sql<AssignmentRow[]>`
    update assignments set rubric = ${sql.json(parsed as never)}, rubric_version = rubric_version + 1, updated_at = now()
    where id = ${assignmentId}
    returning id, title, prompt, rubric, rubric_version
  `;
  return row ? toContext(row) : null;
}

export const assignmentBodySchema = z.object({
  title: z
    .string({ error: "title is required" })
    .trim()
    .min(1, "title is required")
    .max(200)
    .refine(isStorableText, `title ${STORABLE_TEXT_MESSAGE}`),
  prompt: z.string().trim().max(5000).refine(isStorableText, `prompt ${STORABLE_TEXT_MESSAGE}`).default(""),
  rubric: rubricSchema,
});
export type AssignmentBody = z.infer<typeof assignmentBodySchema>;

export interface AssignmentSummary {
  id: string;
  title: string;
  prompt: string;
  rubricVersion: number;
  criteria: number;
  submissions: number;
  updatedAt: Date;
}

export async function listAssignments(sql: SqlExecutor): Promise<AssignmentSummary[]> {
  const rows = await sql<
    { id: string; title: string; prompt: string; rubric_version: number; criteria: number; submissions: number; updated_at: Date }[]
  >`
    select a.id, a.title, a.prompt, a.rubric_version, jsonb_array_length(coalesce(a.rubric -> 'criteria', '[]'::jsonb)) as criteria,
           (select count(*)::int from submissions s where s.assignment_id = a.id) as submissions, a.updated_at
    from assignments a order by a.updated_at desc limit 200
  `;
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    prompt: row.prompt,
    rubricVersion: row.rubric_version,
    criteria: row.criteria,
    submissions: row.submissions,
    updatedAt: row.updated_at,
  }));
}

/** Title and prompt change in place; a changed rubric bumps the version (cached ratings then miss). */
export async function updateAssignment(sql: SqlExecutor, assignmentId: string, body: AssignmentBody): Promise<AssignmentContext | null> {
  const [row] = await sql<AssignmentRow[]>`
    update assignments set
      title = ${body.title},
      prompt = ${body.prompt},
      rubric_version = rubric_version + case when rubric = ${sql.json(body.rubric as never)}::jsonb then 0 else 1 end,
      rubric = ${sql.json(body.rubric as never)},
      updated_at = now()
    where id = ${assignmentId}
    returning id, title, prompt, rubric, rubric_version
  `;
  return row ? toContext(row) : null;
}
