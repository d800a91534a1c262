import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { applyMigrations } from "../../lib/db/migrate";
import { createSql, type Sql } from "../../lib/db/sql";

/**
 * The Realtime part of the migrations only runs where Supabase's realtime schema exists.
 * Here a database gets a stand-in for that schema (realtime.messages, realtime.topic()
 * and a realtime.broadcast_changes() that records its calls) before the migrations, so
 * the triggers and the RLS policy are created and exercised as on Supabase.
 */
const databaseName = `gradeline_realtime_${process.pid}`;
let admin: postgres.Sql;
let sql: Sql;

beforeAll(async () => {
  admin = postgres(inject("adminDatabaseUrl"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
  await admin.unsafe(`create database ${databaseName}`);
  const url = new URL(inject("adminDatabaseUrl"));
  url.pathname = `/${databaseName}`;
  sql = createSql(url.toString());
  await sql.unsafe(`
    create schema realtime;
    create table realtime.messages (id bigserial primary key, topic text, extension text, payload jsonb);
    alter table realtime.messages enable row level security;
    create table realtime.broadcasts (topic text, event text, table_name text, new_row jsonb);
    create function realtime.topic() returns text language sql stable as $$ select current_setting('realtime.topic', true) $$;
    create function realtime.broadcast_changes(topic_name text, event_name text, operation text, table_name text, table_schema text, new record, old record, level text default 'ROW')
    returns void language plpgsql as $$
    begin
      insert into realtime.broadcasts values (topic_name, event_name, table_name, to_jsonb(new));
    end $$;
    create function realtime.send(payload jsonb, event text, topic text, private boolean default true)
    returns void language plpgsql as $$
    begin
      insert into realtime.broadcasts values (topic, event, null, payload);
    end $$;
  `);
  await applyMigrations(url.toString());
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await admin?.unsafe(`drop database if exists ${databaseName} with (force)`);
  await admin?.end({ timeout: 5 });
});

describe("Supabase Realtime broadcast (migration branch for databases with a realtime schema)", () => {
  it("broadcasts each new rating, the final grade and a failed job to the private channel submission:<id>", async () => {
    const [assignment] = await sql<{ id: string }[]>`insert into assignments (title) values ('Realtime') returning id`;
    const [submission] = await sql<{ id: string }[]>`
      insert into submissions (assignment_id, body, line_count) values (${assignment!.id}, 'One line.', 1) returning id
    `;
    await sql`insert into submission_lines (submission_id, line_index, body, start_offset, end_offset) values (${submission!.id}, 0, 'One line.', 0, 9)`;
    await sql`insert into line_ratings (submission_id, line_index, score, label, rater, seq) values (${submission!.id}, 0, 4, 'good', 'test', 1)`;
    await sql`update submissions set graded_at = now(), scores = '[]' where id = ${submission!.id}`;
    const [job] = await sql<{ id: number }[]>`
      insert into grading_jobs (kind, payload) values ('rate_lines', ${sql.json({ submissionId: submission!.id, lineIndexes: [0] })}) returning id
    `;
    await sql`update grading_jobs set status = 'failed', finished_at = now(), last_error = 'LLM down' where id = ${job!.id}`;

    const broadcasts = await sql<
      { topic: string; event: string; table_name: string | null }[]
    >`select topic, event, table_name from realtime.broadcasts`;
    expect(broadcasts).toEqual([
      { topic: `submission:${submission!.id}`, event: "INSERT", table_name: "line_ratings" },
      { topic: `submission:${submission!.id}`, event: "UPDATE", table_name: "submissions" },
      { topic: `submission:${submission!.id}`, event: "JOB_FAILED", table_name: null },
    ]);
    // The failure broadcast carries no error text or worker identity, only what the page needs.
    const [failure] = await sql<{ new_row: Record<string, unknown> }[]>`select new_row from realtime.broadcasts where event = 'JOB_FAILED'`;
    expect(failure!.new_row).toEqual({ jobId: job!.id, kind: "rate_lines", status: "failed" });
  });

  it("lets a student receive only the channels of submissions they can read", async () => {
    const student = "11111111-1111-4111-8111-111111111111";
    await sql`insert into auth.users (id, email) values (${student}, 'student@example.org')`;
    const [assignment] = await sql<{ id: string }[]>`insert into assignments (title) values ('Mine') returning id`;
    const [mine] = await sql<
      { id: string }[]
    >`insert into submissions (assignment_id, student_id, body) values (${assignment!.id}, ${student}, 'x') returning id`;
    const [theirs] = await sql<
      { id: string }[]
    >`insert into submissions (assignment_id, body) values (${assignment!.id}, 'y') returning id`;
    await sql`insert into realtime.messages (topic, extension) values ('any', 'broadcast')`;

    const canReceive = async (topic: string) =>
      sql
        .begin(async (tx) => {
          await tx`set local role authenticated`;
          await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: student, role: "authenticated" })}, true)`;
          await tx`select set_config('realtime.topic', ${topic}, true)`;
          const rows = await tx`select 1 from realtime.messages`;
          throw Object.assign(new Error("rollback"), { rows: rows.length });
        })
        .catch((error: { rows?: number }) => (error.rows ?? 0) > 0);

    await sql.unsafe("grant usage on schema realtime to authenticated; grant select on realtime.messages to authenticated");
    expect(await canReceive(`submission:${mine!.id}`)).toBe(true);
    expect(await canReceive(`submission:${theirs!.id}`)).toBe(false);
    expect(await canReceive("lobby")).toBe(false);
  });
});
