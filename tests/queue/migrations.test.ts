import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Sql, TransactionSql } from "../../lib/db/sql";
import { applyMigrations } from "../../lib/db/migrate";
import { freshDatabasePerFile } from "../helpers/db";

const db = freshDatabasePerFile();

const SCHEMAS = ["public", "private", "auth"];

/** Everything a migration could change, one line per object, in a stable order. */
async function describeSchema(sql: Sql): Promise<string[]> {
  const rows = await sql<{ line: string }[]>`
    select 'table ' || c.oid::regclass || ' rls=' || c.relrowsecurity || ' acl=' || coalesce(c.relacl::text, '') as line
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any(${SCHEMAS}) and c.relkind in ('r', 'p', 'v', 'S')
    union all
    select 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type
           || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
    from information_schema.columns where table_schema = any(${SCHEMAS})
    union all
    select 'constraint ' || conrelid::regclass || '.' || conname || ' ' || pg_get_constraintdef(oid)
    from pg_constraint where connamespace = any(select oid from pg_namespace where nspname = any(${SCHEMAS}))
    union all
    select 'index ' || indexdef from pg_indexes where schemaname = any(${SCHEMAS})
    union all
    select 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid)) || ' acl=' || coalesce(p.proacl::text, '')
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = any(${SCHEMAS}) and p.prokind in ('f', 'p')
    union all
    select 'policy ' || schemaname || '.' || tablename || ' "' || policyname || '" ' || cmd || ' ' || roles::text
           || ' using=' || coalesce(qual, '') || ' check=' || coalesce(with_check, '')
    from pg_policies where schemaname = any(${SCHEMAS})
    union all
    select 'trigger ' || tgrelid::regclass || '.' || tgname from pg_trigger where not tgisinternal
    union all
    select 'migration ' || version from supabase_migrations.schema_migrations
    order by 1
  `;
  return rows.map((row) => row.line);
}

describe("migrations", () => {
  it("applying the migrations a second time succeeds and changes nothing", async () => {
    const { sql, url } = db.current;
    const before = await describeSchema(sql);
    expect(before.filter((line) => line.startsWith("migration ")).length).toBeGreaterThanOrEqual(3);
    expect(before.some((line) => line.startsWith("function claim_grading_jobs(text,integer,integer,text[])"))).toBe(true);

    await applyMigrations(url);

    expect(await describeSchema(sql)).toEqual(before);
  });

  it("submissions keep no status column: a submission's status is derived from its ratings and jobs (#8)", async () => {
    const columns = await db.current.sql<{ column_name: string }[]>`
      select column_name from information_schema.columns where table_schema = 'public' and table_name = 'submissions'
    `;
    expect(columns.map((column) => column.column_name)).toContain("graded_at");
    expect(columns.map((column) => column.column_name)).not.toContain("status");
  });

  it("row level security is on for the queue and for every table students' data lives in", async () => {
    const rows = await db.current.sql<{ relname: string; relrowsecurity: boolean }[]>`
      select relname, relrowsecurity from pg_class
      where relnamespace = 'public'::regnamespace
        and relname in ('grading_jobs', 'grading_workers', 'submissions', 'submission_lines', 'line_ratings', 'assignments')
      order by relname
    `;
    expect(rows).toEqual([
      { relname: "assignments", relrowsecurity: true },
      { relname: "grading_jobs", relrowsecurity: true },
      { relname: "grading_workers", relrowsecurity: true },
      { relname: "line_ratings", relrowsecurity: true },
      { relname: "submission_lines", relrowsecurity: true },
      { relname: "submissions", relrowsecurity: true },
    ]);
  });
});

class Rollback extends Error {}

/**
 * Runs `fn` as PostgREST would for a request: `set local role` plus the JWT claims
 * (basejump's tests.authenticate_as), then rolls back whatever it did.
 */
async function asRole<T>(
  sql: Sql,
  role: "anon" | "authenticated" | "service_role",
  userId: string | null,
  fn: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(`set local role ${role}`);
      const claims = userId === null ? { role } : { sub: userId, role };
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      result = await fn(tx);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return result!;
}

/** A signed-in user (role authenticated), or anon when userId is null. */
function asUser<T>(sql: Sql, userId: string | null, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return asRole(sql, userId === null ? "anon" : "authenticated", userId, fn);
}

describe("row level security", () => {
  async function seedClass(sql: Sql) {
    const teacher = randomUUID();
    const alice = randomUUID();
    const bob = randomUUID();
    await sql`
      insert into auth.users (id, email) values
        (${teacher}, ${`teacher-${teacher}@example.com`}),
        (${alice}, ${`alice-${alice}@example.com`}),
        (${bob}, ${`bob-${bob}@example.com`})
    `;
    const [assignment] = await sql<{ id: string }[]>`
      insert into assignments (teacher_id, title) values (${teacher}, 'Persuasive essay') returning id
    `;
    const submissions = await sql<{ id: string; student_id: string }[]>`
      insert into submissions (assignment_id, student_id, student_name, body) values
        (${assignment!.id}, ${alice}, 'Alice', 'Alice line one.'),
        (${assignment!.id}, ${bob}, 'Bob', 'Bob line one.')
      returning id, student_id
    `;
    for (const submission of submissions) {
      await sql`
        insert into submission_lines (submission_id, line_index, body, start_offset, end_offset)
        values (${submission.id}, 0, 'line one.', 0, 9)
      `;
      await sql`
        insert into line_ratings (submission_id, line_index, score, label, rater)
        values (${submission.id}, 0, 3, 'proficient', 'local')
      `;
    }
    const idOf = (student: string) => submissions.find((submission) => submission.student_id === student)!.id;
    return { teacher, alice, bob, assignmentId: assignment!.id, aliceSubmission: idOf(alice), bobSubmission: idOf(bob) };
  }

  it("a student sees only their own submissions, lines and ratings", async () => {
    const { sql } = db.current;
    const seeded = await seedClass(sql);

    const seen = await asUser(sql, seeded.alice, async (tx) => ({
      submissions: await tx<{ id: string }[]>`select id from submissions`,
      lines: await tx<{ submission_id: string }[]>`select submission_id from submission_lines`,
      ratings: await tx<{ submission_id: string }[]>`select submission_id from line_ratings`,
      assignments: await tx<{ id: string }[]>`select id from assignments`,
    }));

    expect(seen.submissions.map((row) => row.id)).toEqual([seeded.aliceSubmission]);
    expect(seen.lines.map((row) => row.submission_id)).toEqual([seeded.aliceSubmission]);
    expect(seen.ratings.map((row) => row.submission_id)).toEqual([seeded.aliceSubmission]);
    expect(seen.assignments.map((row) => row.id)).toEqual([seeded.assignmentId]);
  });

  it("a teacher sees every submission to their assignments; another user and anon see none", async () => {
    const { sql } = db.current;
    const seeded = await seedClass(sql);
    const stranger = randomUUID();
    await sql`insert into auth.users (id, email) values (${stranger}, ${`stranger-${stranger}@example.com`})`;
    const submissionIds = [seeded.aliceSubmission, seeded.bobSubmission];
    const visibleTo = (userId: string | null) =>
      asUser(sql, userId, async (tx) => {
        const rows = await tx<{ id: string }[]>`select id from submissions where id = any(${submissionIds}::uuid[])`;
        return rows.map((row) => row.id).sort();
      });

    expect(await visibleTo(seeded.teacher)).toEqual([...submissionIds].sort());
    expect(await visibleTo(stranger)).toEqual([]);
    expect(await visibleTo(null)).toEqual([]);
  });

  it("an authenticated user cannot read the queue or run its functions", async () => {
    const { sql } = db.current;
    const seeded = await seedClass(sql);
    const denied = { code: "42501" };

    await expect(asUser(sql, seeded.alice, (tx) => tx`select * from grading_jobs`)).rejects.toMatchObject(denied);
    await expect(asUser(sql, seeded.alice, (tx) => tx`select * from grading_workers`)).rejects.toMatchObject(denied);
    await expect(
      asUser(sql, seeded.alice, (tx) => tx`select * from claim_grading_jobs('student-worker', 10, 30, null)`),
    ).rejects.toMatchObject(denied);
    await expect(
      asUser(sql, seeded.alice, (tx) => tx`select * from enqueue_grading_jobs('[{"kind": "noop"}]'::jsonb)`),
    ).rejects.toMatchObject(denied);
    await expect(asUser(sql, seeded.alice, (tx) => tx`select private.requeue_expired_grading_jobs(100)`)).rejects.toMatchObject(denied);
    await expect(asUser(sql, null, (tx) => tx`select release_grading_leases()`)).rejects.toMatchObject(denied);
  });
});

describe("queue privileges", () => {
  // Regression: the queue is driven by "the service role / database owner", but
  // claim_grading_jobs, fail_grading_job and release_grading_leases call helpers in schema
  // private on which service_role once had neither USAGE nor EXECUTE, so an Edge Function
  // calling rpc('claim_grading_jobs') with the service key got 42501.
  it("the service role can drive the queue: enqueue, claim, fail, complete and release leases", async () => {
    const { sql } = db.current;
    await asRole(sql, "service_role", null, async (tx) => {
      await tx`select * from enqueue_grading_jobs('[{"kind": "noop"}, {"kind": "noop"}]'::jsonb)`;
      const claimed = await tx<{ id: number }[]>`select id from claim_grading_jobs('service-worker', 2, 30, null)`;
      expect(claimed).toHaveLength(2);
      const [failed] = await tx`select * from fail_grading_job(${claimed[0]!.id}, 'service-worker', 'rater down')`;
      expect(failed).toMatchObject({ status: "pending", attempts: 1 });
      const completed = await tx`select * from complete_grading_jobs('service-worker', ${[claimed[1]!.id]}::bigint[])`;
      expect(completed).toHaveLength(1);
      await tx`select release_grading_leases()`;
    });
  });
});
