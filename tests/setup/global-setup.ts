import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { ensureEmbeddedPostgres } from "../../lib/db/embedded";
import { applyMigrations } from "../../lib/db/migrate";
import { ensureNextBuild } from "./build-next";

const TEMPLATE_PREFIX = "gradeline_template_";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function dropDatabase(admin: postgres.Sql, name: string): Promise<void> {
  await admin.unsafe(`alter database "${name}" with is_template = false`);
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
}

/**
 * Starts the embedded Postgres (or uses TEST_DATABASE_ADMIN_URL), migrates a template
 * database for this run with the Supabase CLI, and hands both to the test files, which
 * each clone the template. The template is named after this process, so test runs in
 * parallel (two terminals, CI and a developer) do not pull each other's template away.
 */
export default async function globalSetup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? (await ensureEmbeddedPostgres()).adminUrl;
  const templateName = `${TEMPLATE_PREFIX}${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const stale = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${TEMPLATE_PREFIX}%`}`;
    for (const { datname } of stale) {
      const pid = Number(datname.slice(TEMPLATE_PREFIX.length));
      if (pid === process.pid || !isAlive(pid)) await dropDatabase(admin, datname);
    }
    await admin.unsafe(`create database "${templateName}"`);
    const templateUrl = new URL(adminUrl);
    templateUrl.pathname = `/${templateName}`;
    await applyMigrations(templateUrl.toString());
    await admin.unsafe(`alter database "${templateName}" with is_template = true`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  if (process.env.SKIP_NEXT_BUILD !== "1") ensureNextBuild();
  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", templateName);

  return async () => {
    const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await dropDatabase(cleanup, templateName);
    } finally {
      await cleanup.end({ timeout: 5 });
    }
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}
