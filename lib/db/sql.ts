import postgres from "postgres";

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** Anything that runs tagged-template SQL: the pool or a transaction inside it. */
export type SqlExecutor = Sql | TransactionSql;

/** Supabase's transaction pooler (port 6543), or DATABASE_POOLER=transaction for others. */
export function isTransactionPoolerUrl(url: string): boolean {
  return /:6543\//.test(url) || process.env.DATABASE_POOLER === "transaction";
}

export interface CreateSqlOptions {
  max?: number;
  /** Shows up in pg_stat_activity; workers use it to prove they are alive. */
  applicationName?: string;
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
