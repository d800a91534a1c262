import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import postgres from "postgres";

const execFileAsync = promisify(execFile);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Creates Supabase's built-in roles, `auth.uid()` and friends where they are missing. */
export async function bootstrapSupabaseCompat(databaseUrl: string): Promise<void> {
  const bootstrapSql = await readFile(path.join(projectRoot, "lib/db/supabase-bootstrap.sql"), "utf8");
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(bootstrapSql);
  } catch (error) {
    // Roles are cluster-wide: two databases bootstrapping at once can race on them.
    if ((error as { code?: string }).code !== "23505") throw error;
    await sql.unsafe(bootstrapSql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Applies supabase/migrations with the Supabase CLI, exactly as a hosted project gets
 * them (`supabase db push` sends the same files). Already-applied migrations are skipped.
 */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  await bootstrapSupabaseCompat(databaseUrl);
  const cli = path.join(projectRoot, "node_modules/supabase/dist/supabase.js");
  try {
    await execFileAsync(
      process.execPath,
      [cli, "migration", "up", `--remote=${databaseUrl}`, "--yes", "--workdir", projectRoot, "--agent", "no"],
      {
        cwd: projectRoot,
        env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" },
        maxBuffer: 10 * 1024 * 1024,
      },
    );
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`supabase migration up failed:\n${stderr || ""}${stdout || ""}`, { cause: error });
  }
}

/** Applies supabase/seed.sql (idempotent demo data). */
export async function applySeed(databaseUrl: string): Promise<void> {
  const seedSql = await readFile(path.join(projectRoot, "supabase/seed.sql"), "utf8");
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(seedSql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
