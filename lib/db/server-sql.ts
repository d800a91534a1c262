import { serverEnv } from "../env";
import { createSql, type Sql } from "./sql";

// One pool per server process; Next may evaluate this module more than once in dev.
const globalForSql = globalThis as unknown as { gradelineSql?: Sql };

/** The app's pool on DATABASE_URL (set by `npm start` to the embedded database, or to Supabase). */
export function getSql(): Sql {
  globalForSql.gradelineSql ??= createSql(serverEnv().DATABASE_URL, { max: 10 });
  return globalForSql.gradelineSql;
}
