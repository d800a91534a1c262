import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, inject } from "vitest";
import { createSql, type Sql } from "../../lib/db/sql";

export interface TestDatabase {
  name: string;
  url: string;
  /** A pool on the test database; ended after the file's tests. */
  sql: Sql;
}

async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("adminDatabaseUrl");
  const name = `gradeline_test_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name} template "${inject("templateDatabase")}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), sql: createSql(url.toString()) };
}

async function dropTestDatabase(database: TestDatabase, keep: boolean): Promise<void> {
  await database.sql.end({ timeout: 5 });
  if (keep) {
    console.warn(`kept test database ${database.name} for inspection: ${database.url}`);
    return;
  }
  const admin = postgres(inject("adminDatabaseUrl"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${database.name} with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/**
 * One fresh database per test file, cloned from the migrated template. A database in
 * which a test failed is kept and its name printed.
 */
export function freshDatabasePerFile(): { readonly current: TestDatabase } {
  let database: TestDatabase | undefined;
  let failed = false;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  beforeEach(({ onTestFailed }) => {
    // An expected failure (it.fails) is not a failure worth keeping the database for.
    onTestFailed(({ task }) => {
      if (!task.fails) failed = true;
    });
  });
  afterAll(async () => {
    if (database) await dropTestDatabase(database, failed);
  });
  return {
    get current() {
      if (!database) throw new Error("the test database is created in beforeAll; use it inside a test");
      return database;
    },
  };
}

export interface JobOverrides {
  kind?: string;
  payload?: unknown;
  status?: string;
  priority?: number;
  runAt?: Date;
  attempts?: number;
  maxAttempts?: number;
  dedupeKey?: string | null;
}

/** Inserts a job row directly, bypassing payload validation (to test what the worker does with bad rows). */
export async function insertJob(sql: Sql, overrides: JobOverrides = {}): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    insert into grading_jobs (kind, payload, priority, run_at, attempts, max_attempts, dedupe_key)
    values (
      ${overrides.kind ?? "noop"},
      ${sql.json((overrides.payload ?? {}) as postgres.JSONValue)},
      ${overrides.priority ?? 0},
      ${overrides.runAt ?? new Date()},
      ${overrides.attempts ?? 0},
      ${overrides.maxAttempts ?? 5},
      ${overrides.dedupeKey ?? null}
    )
    returning id
  `;
  return row!.id;
}

export async function getJobRow(sql: Sql, id: number) {
  const [row] = await sql`select * from grading_jobs where id = ${id}`;
  return row!;
}

/** Makes time a row, not a sleep: the job's lease ran out a second ago. */
export async function expireLease(sql: Sql, id: number): Promise<void> {
  await sql`update grading_jobs set lease_expires_at = now() - interval '1 second' where id = ${id}`;
}

/** Makes a delayed (backed-off) job runnable now. */
export async function makeRunnableNow(sql: Sql, id: number): Promise<void> {
  await sql`update grading_jobs set run_at = now() where id = ${id}`;
}

export async function countRows(sql: Sql, table: string): Promise<number> {
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from ${sql(table)}`;
  return row!.count;
}
