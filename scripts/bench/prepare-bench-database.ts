import postgres from "postgres";
import { ensureEmbeddedPostgres } from "../../lib/db/embedded";
import { applyMigrations } from "../../lib/db/migrate";

export const BENCH_DATABASE = process.env.BENCH_DATABASE_NAME ?? "gradeline_bench";

/** Drops, recreates and migrates the benchmark's database; returns its URL and whether its server is this machine. */
export async function prepareBenchDatabase(): Promise<{ url: string; serverIsLocal: boolean }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(BENCH_DATABASE))
    throw new Error(`BENCH_DATABASE_NAME must be a plain lowercase identifier, got "${BENCH_DATABASE}"`);
  const adminUrl = process.env.BENCH_DATABASE_URL ?? (await ensureEmbeddedPostgres()).adminUrl;
  const benchUrl = new URL(adminUrl);
  const serverIsLocal = ["127.0.0.1", "localhost", "[::1]"].includes(benchUrl.hostname);
  benchUrl.pathname = `/${BENCH_DATABASE}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${BENCH_DATABASE} with (force)`);
    await admin.unsafe(`create database ${BENCH_DATABASE}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  await applyMigrations(benchUrl.toString());
  const bench = postgres(benchUrl.toString(), { max: 1, onnotice: () => {} });
  try {
    // The unanalysed drain must stay unanalysed: 20,000 inserts would trigger an auto-analyze within a naptime.
    await bench`alter table grading_jobs set (autovacuum_enabled = false)`;
  } finally {
    await bench.end({ timeout: 5 });
  }
  return { url: benchUrl.toString(), serverIsLocal };
}
