import type { Sql } from "../../lib/db/sql";

export interface Sizes {
  jobs: number;
  pickups: number;
}

/** What every phase of the queue benchmark works with. */
export interface BenchRun {
  sql: Sql;
  databaseUrl: string;
  sizes: Sizes;
  /** Whether the database server runs on this machine, so that its backends' pids are ours to read in /proc. */
  serverIsLocal: boolean;
}
