import postgres from "postgres";
import { databaseEnv } from "../env";
import { DEFAULT_DATABASE_NAME, ensureEmbeddedPostgres } from "./embedded";

/**
 * The database everything talks to: DATABASE_URL when set (Supabase or any Postgres),
 * otherwise the project's embedded PostgreSQL, started on demand, with the
 * `gradeline` database created if missing.
 */
export async function resolveDatabaseUrl(options: { database?: string } = {}): Promise<string> {
  const configured = databaseEnv().DATABASE_URL;
  if (configured) return configured;
  const server = await ensureEmbeddedPostgres();
  const database = options.database ?? DEFAULT_DATABASE_NAME;
  await createDatabaseIfMissing(server.adminUrl, database);
  return server.urlFor(database);
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await admin`select 1 from pg_database where datname = ${database}`;
    if (existing) return;
    await admin.unsafe(`create database "${database.replaceAll('"', '""')}"`).catch((error: unknown) => {
      // Another process may have created it between our check and our create.
      if ((error as { code?: string }).code !== "42P04") throw error;
    });
  } finally {
    await admin.end({ timeout: 5 });
  }
}
