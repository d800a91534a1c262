import postgres from "postgres";
import { databaseEnv } from "../env";

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** Anything that runs tagged-template SQL: the pool or a transaction inside it. */
export type SqlExecutor = Sql | TransactionSql;

/** Supabase's transaction pooler (port 6543), or DATABASE_POOLER=transaction for others. */
export function isTransactionPoolerUrl(url: string): boolean {
  return /:6543\//.test(url) || databaseEnv().DATABASE_POOLER === "transaction";
}

export interface CreateSqlOptions {
  max?: number;
  /** Shows up in pg_stat_activity; workers use it to prove they are alive. */
  applicationName?: string;
}

/**
 * Longest wait, in seconds, before a pool connection tries again after failing to connect.
 * postgres.js grows the wait 3× per failure up to 20 s, so after a minute-long outage the
 * app would keep every request waiting up to 20 s after the database was back, while the
 * API's 503s tell clients to retry after 5 s (lib/api/errors.ts).
 */
export const MAX_RECONNECT_DELAY_SECONDS = 2;

/** postgres.js's own backoff (jittered, 3^failures / 100 s), capped at MAX_RECONNECT_DELAY_SECONDS. */
export function reconnectDelaySeconds(failures: number, random: () => number = Math.random): number {
  return (0.5 + random() / 2) * Math.min(3 ** failures / 100, MAX_RECONNECT_DELAY_SECONDS);
}

/**
 * A postgres.js pool. Job ids (bigint) come back as numbers: they stay far below 2^53.
 * Prepared statements are off when DATABASE_URL goes through a transaction pooler
 * (Supabase's port 6543), which cannot keep them.
 */
export function createSql(url: string, options: CreateSqlOptions = {}): Sql {
  const transactionPooler = isTransactionPoolerUrl(url);
  return postgres(url, {
    max: options.max ?? 10,
    prepare: !transactionPooler,
    backoff: reconnectDelaySeconds,
    onnotice: () => {},
    connection: options.applicationName ? { application_name: options.applicationName } : {},
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number | bigint) => value.toString(),
        parse: (value: string) => Number(value),
      },
    },
  });
}
