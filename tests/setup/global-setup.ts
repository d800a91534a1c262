import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { ensureEmbeddedPostgres } from "../../lib/db/embedded";
import { applyMigrations } from "../../lib/db/migrate";

export const TEMPLATE_DATABASE = "gradeline_template";

/**
 * Starts the embedded Postgres (or uses TEST_DATABASE_ADMIN_URL), migrates a template
 * database once with the Supabase CLI, and hands its server URL to the test files,
 * which each clone the template into a database of their own.
 */
export default async function globalSetup(project: TestProject): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? (await ensureEmbeddedPostgres()).adminUrl;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await admin`select 1 from pg_database where datname = ${TEMPLATE_DATABASE}`;
    if (existing) await admin.unsafe(`alter database ${TEMPLATE_DATABASE} with is_template = false`);
    await admin.unsafe(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
    await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
    const templateUrl = new URL(adminUrl);
    templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
    await applyMigrations(templateUrl.toString());
    await admin.unsafe(`alter database ${TEMPLATE_DATABASE} with is_template = true`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  project.provide("adminDatabaseUrl", adminUrl);
}

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}
