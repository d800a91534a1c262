import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { serverDatabaseUrl } from "../env";
import { createSql, isTransactionPoolerUrl, type Sql } from "./sql";

// One pool per server process; Next may evaluate this module more than once in dev.
const globalForSql = globalThis as unknown as { gradelineSql?: Sql; gradelineAppName?: string };

/**
 * The application_name of this server process's sessions: unique per process, so a drain
 * registered under it is seen dead the moment the process's sessions vanish.
 */
export function serverApplicationName(): string {
  globalForSql.gradelineAppName ??= `gradeline-app ${hostname().slice(0, 24)}-${process.pid}-${randomBytes(3).toString("hex")}`.slice(
    0,
    63,
  );
  return globalForSql.gradelineAppName;
}

/** The app's pool on DATABASE_URL (set by `npm start` to the embedded database, or to Supabase). */
export function getSql(): Sql {
  globalForSql.gradelineSql ??= createSql(serverDatabaseUrl(), { max: 10, applicationName: serverApplicationName() });
  return globalForSql.gradelineSql;
}

/** Drains may register by their sessions only on a direct connection: behind a transaction pooler the sessions are not ours. */
export function drainsCanRegister(): boolean {
  return !isTransactionPoolerUrl(serverDatabaseUrl());
}
