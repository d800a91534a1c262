import type { Sql } from "../db/sql";
import { heartbeatJobs } from "./job-leases";
import type { JobLedger } from "./job-ledger";

export interface LeaseHeartbeatOptions {
  sql: Sql;
  workerId: string;
  leaseMs: number;
  ledger: JobLedger;
  onError: (error: unknown) => void;
}

/** A third of the lease, so one missed heartbeat does not cost the lease; at most one a second. */
export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(1000, leaseMs / 3);
}

/** Extends every held lease each interval until the returned function is called. */
export function startLeaseHeartbeat(options: LeaseHeartbeatOptions): () => void {
  const timer = setInterval(() => extendHeldLeases(options).catch(options.onError), heartbeatIntervalMs(options.leaseMs));
  return () => clearInterval(timer);
}

/** One heartbeat: extends every held lease; a job whose lease was lost is recorded lost (its handler aborted). */
async function extendHeldLeases({ sql, workerId, leaseMs, ledger }: LeaseHeartbeatOptions): Promise<void> {
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
