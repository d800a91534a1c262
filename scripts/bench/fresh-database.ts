import postgres from "postgres";
import { ensureEmbeddedPostgres } from "../../lib/db/embedded";
import { applyMigrations } from "../../lib/db/migrate";

/** Drops and recreates `database` on the embedded PostgreSQL, migrated; returns its URL. */
export async function freshDatabase(database: string): Promise<string> {
  const server = await ensureEmbeddedPostgres();
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`create database ${database}`);
  await admin.end();
  const url = server.urlFor(database);
  await applyMigrations(url);
  return url;
}
