import type { Sql } from "../db/sql";
import { heartbeatJobs } from "./job-leases";
import type { JobLedger } from "./job-ledger";

export interface LeaseHeartbeatOptions {
  sql: Sql;
  workerId: string;
  leaseMs: number;
  ledger: JobLedger;
}

/** One heartbeat: extends every held lease; a job whose lease was lost is recorded lost (its handler aborted). */
export async function extendHeldLeases({ sql, workerId, leaseMs, ledger }: LeaseHeartbeatOptions): Promise<void> {
  const ids = ledger.heldIds();
  if (ids.length === 0) return;
  const stillHeld = await heartbeatJobs(sql, workerId, ids, leaseMs);
  for (const id of ids) {
    if (stillHeld.has(id)) continue;
    const held = ledger.get(id);
    if (!held || held.completing) continue; // settled meanwhile, or its completion will say
    ledger.recordLost(held.job);
  }
}
