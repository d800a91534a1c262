-- Claims whose cost does not depend on ANALYZE (#7). Same contract as
-- 20261123120100_grading_queue_functions.sql; only how Postgres executes the claim changes.

-- claim_grading_jobs(worker_id, batch_size, lease_seconds, kinds): takes up to
-- batch_size runnable jobs, most urgent first (priority, then run_at, then id), and
-- leases them to worker_id for lease_seconds. kinds limits the claim to job kinds the
-- caller can run (null: any). Jobs whose lease expired are made runnable first.
-- Called by the worker loop and drainQueue (lib/queue/claim-jobs.ts).
--
-- The claim reads batch_size entries of grading_jobs_pending_idx in order and looks the
-- claimed rows up by id, whatever the statistics say. Measured on 20,000 pending jobs, a
-- claim of 250 (EXPLAIN ANALYZE of its statement): never analysed, or analysed while the
-- queue was empty, the planner expected ~10 pending rows and chose a bitmap scan of all
-- 20,000 and a sort, 11-13 ms (40,500 rows read); analysed with pending jobs in it (the
-- burst, or 20 jobs before it), it walked the index but hash-joined the 250 ids to a seq
-- scan of the whole table, 7-10 ms (20,000+ rows). Now 2-4 ms and ~1,000 rows read in
-- every case, most of the time the update itself.
--   enable_sort = off: the pending index is the only way to get (priority, run_at, id)
--     order without a sort, so the candidates walk it and stop after batch_size rows. The
--     final sort of the claimed batch stays (it has no alternative). A function-level SET
--     is undone on exit, so the caller's transaction keeps its own settings; it does apply
--     to private.requeue_expired_grading_jobs, which then walks
--     grading_jobs_lease_expiry_idx in order, as its query asks.
--   id = any (array(select ...)): the planner assumes 10 elements for an array it cannot
--     see, so the update probes the primary key instead of hashing the whole table.
create or replace function public.claim_grading_jobs(
  p_worker_id text,
  p_batch_size integer default 10,
  p_lease_seconds integer default 30,
  p_kinds text[] default null
)
returns setof public.grading_jobs
language plpgsql
set enable_sort = off
as $$
begin
  if p_worker_id is null or p_worker_id = '' then
    raise exception 'claim_grading_jobs needs a worker id' using errcode = '22023';
  end if;

  perform private.requeue_expired_grading_jobs(p_batch_size);

  return query
  with candidates as (
    select id from public.grading_jobs
    where status = 'pending'
      and run_at <= now()
      and (p_kinds is null or kind = any (p_kinds))
    order by priority, run_at, id
    limit p_batch_size
    for update skip locked
  ),
  claimed as (
    update public.grading_jobs j set
      status = 'processing',
      attempts = j.attempts + 1,
      lease_owner = p_worker_id,
      lease_expires_at = now() + make_interval(secs => p_lease_seconds),
      started_at = now()
    where j.id = any (array(select id from candidates))
    returning j.*
  )
  select * from claimed order by priority, run_at, id;
end;
$$;

-- The queue is driven by the server (service role / database owner), never by browsers.
revoke execute on function public.claim_grading_jobs(text, integer, integer, text[])
from public, anon, authenticated;
