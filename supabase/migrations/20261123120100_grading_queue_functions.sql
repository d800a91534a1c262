-- The queue's operations. Next routes, scripts/process-grading-jobs.ts and the Edge
-- Function all call these, so the rules live in one place.
-- Channel: every operation that makes work runnable now sends NOTIFY grading_jobs.

-- private.grading_retry_delay_ms(attempt): exponential backoff with jitter.
-- 1 s, 2 s, 4 s … capped at 10 min, each scaled by a random factor in [0.5, 1) so
-- that jobs failing together (an LLM outage) do not come back together.
create or replace function private.grading_retry_delay_ms(p_attempt integer)
returns integer
language sql
volatile
as $$
  select (least(600000, 1000 * power(2, greatest(p_attempt, 1) - 1)) * (0.5 + random() * 0.5))::integer
$$;

-- enqueue_grading_jobs(jobs): inserts many jobs in one statement.
--   jobs: jsonb array of {kind, payload?, priority?, run_at?, max_attempts?, dedupe_key?}
-- Returns one row per input job, in input order: its id and whether it was inserted
-- (false when a pending or processing job already holds its dedupe_key; the id is
-- then that job's). Called by lib/queue/enqueue-jobs.ts inside the caller's
-- transaction, so jobs appear together with the rows they belong to.
create or replace function public.enqueue_grading_jobs(p_jobs jsonb)
returns table (job_id bigint, inserted boolean)
language plpgsql
as $$
declare
  enqueued record;
begin
  if jsonb_typeof(p_jobs) is distinct from 'array' then
    raise exception 'enqueue_grading_jobs expects a JSON array of jobs, got %', jsonb_typeof(p_jobs)
      using errcode = '22023';
  end if;

  for enqueued in
  with input as (
    -- ids are drawn up front so each input row knows its id whether or not it is inserted
    select x.ordinality, x.value as job,
           nextval(pg_get_serial_sequence('public.grading_jobs', 'id')) as new_id
    from jsonb_array_elements(p_jobs) with ordinality as x
  ),
  added as (
    insert into public.grading_jobs (id, kind, payload, priority, run_at, max_attempts, dedupe_key)
    overriding system value
    select
      input.new_id,
      input.job ->> 'kind',
      coalesce(input.job -> 'payload', '{}'::jsonb),
      coalesce((input.job ->> 'priority')::smallint, 0),
      coalesce((input.job ->> 'run_at')::timestamptz, now()),
      coalesce((input.job ->> 'max_attempts')::integer, 5),
      input.job ->> 'dedupe_key'
    from input
    order by input.ordinality
    on conflict (dedupe_key) where dedupe_key is not null and status in ('pending', 'processing')
      do nothing
    returning id
  )
  select coalesce(added.id, same_call.id, live.id) as found_id, added.id is not null as was_inserted,
         input.job ->> 'dedupe_key' as key
  from input
  left join added on added.id = input.new_id
  left join lateral (
    -- the same key inserted earlier in this call (not yet visible to this statement's snapshot)
    select a.id from input i2 join added a on a.id = i2.new_id
    where added.id is null and i2.job ->> 'dedupe_key' = input.job ->> 'dedupe_key'
    limit 1
  ) same_call on true
  left join lateral (
    -- the live job that already held this key
    select g.id from public.grading_jobs g
    where added.id is null and same_call.id is null
      and g.dedupe_key = input.job ->> 'dedupe_key'
      and g.status in ('pending', 'processing')
    limit 1
  ) live on true
  order by input.ordinality
  loop
    job_id := enqueued.found_id;
    inserted := enqueued.was_inserted;
    if job_id is null and enqueued.key is not null then
      -- The key's holder was committed by a concurrent transaction while this insert
      -- waited on it, after this statement's snapshot: a new statement sees it.
      select g.id into job_id from public.grading_jobs g
      where g.dedupe_key = enqueued.key and g.status in ('pending', 'processing')
      limit 1;
    end if;
    return next;
  end loop;

  perform pg_notify('grading_jobs', '');
end;
$$;

-- private.requeue_expired_grading_jobs(limit): returns jobs whose lease ran out to
-- pending (their crashed attempt is already counted), or to failed when that was
-- their last attempt — so no job runs forever. Called by claim_grading_jobs and
-- release_grading_leases.
create or replace function private.requeue_expired_grading_jobs(p_limit integer default 100)
returns integer
language plpgsql
as $$
declare
  requeued integer;
begin
  with expired as (
    select id from public.grading_jobs
    where status = 'processing' and lease_expires_at <= now()
    order by lease_expires_at
    limit p_limit
    for update skip locked
  )
  update public.grading_jobs j set
    status = case when j.attempts >= j.max_attempts then 'failed' else 'pending' end,
    last_error = format('lease expired: worker %s stopped responding during attempt %s of %s',
                        j.lease_owner, j.attempts, j.max_attempts),
    finished_at = case when j.attempts >= j.max_attempts then now() end,
    run_at = now(),
    lease_owner = null,
    lease_expires_at = null
  from expired
  where j.id = expired.id;
  get diagnostics requeued = row_count;
  if requeued > 0 then
    perform pg_notify('grading_jobs', '');
  end if;
  return requeued;
end;
$$;

-- claim_grading_jobs(worker_id, batch_size, lease_seconds, kinds): takes up to
-- batch_size runnable jobs, most urgent first (priority, then run_at, then id), and
-- leases them to worker_id for lease_seconds. kinds limits the claim to job kinds the
-- caller can run (null: any). Jobs whose lease expired are made runnable first.
-- Called by the worker loop and drainQueue (lib/queue/claim-jobs.ts).
create or replace function public.claim_grading_jobs(
  p_worker_id text,
  p_batch_size integer default 10,
  p_lease_seconds integer default 30,
  p_kinds text[] default null
)
returns setof public.grading_jobs
language plpgsql
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
    from candidates
    where j.id = candidates.id
    returning j.*
  )
  select * from claimed order by priority, run_at, id;
end;
$$;

-- complete_grading_jobs(worker_id, job_ids, results): marks the worker's jobs
-- completed, storing results[i] for job_ids[i] (results may be null or shorter).
-- Fenced: a job the worker no longer holds (lease expired and taken over, cancelled)
-- is left alone. Returns the ids that were completed; the caller treats the rest as
-- lost leases. The worker batches its completions into one call.
create or replace function public.complete_grading_jobs(
  p_worker_id text,
  p_job_ids bigint[],
  p_results jsonb[] default null
)
returns setof bigint
language sql
as $$
  update public.grading_jobs j set
    status = 'completed',
    result = r.result,
    finished_at = now(),
    lease_owner = null,
    lease_expires_at = null
  from unnest(p_job_ids, coalesce(p_results, '{}'::jsonb[])) as r(id, result)
  where j.id = r.id
    and j.status = 'processing'
    and j.lease_owner = p_worker_id
  returning j.id
$$;

-- complete_grading_job(job_id, worker_id, result): one job; true if it was completed.
create or replace function public.complete_grading_job(
  p_job_id bigint,
  p_worker_id text,
  p_result jsonb default null
)
returns boolean
language sql
as $$
  select exists (
    select 1 from public.complete_grading_jobs(p_worker_id, array[p_job_id], array[p_result])
  )
$$;

-- fail_grading_job(job_id, worker_id, error, retry_in_ms, permanent): records a failed
-- attempt. The job goes back to pending with run_at pushed out by retry_in_ms when
-- given (a 429's Retry-After), else by private.grading_retry_delay_ms(attempts); it
-- becomes failed when permanent (retrying cannot help) or after max_attempts.
-- Fenced like completion: returns no row when the worker no longer holds the job.
create or replace function public.fail_grading_job(
  p_job_id bigint,
  p_worker_id text,
  p_error text,
  p_retry_in_ms integer default null,
  p_permanent boolean default false
)
returns table (status text, attempts integer, run_at timestamptz)
language sql
as $$
  update public.grading_jobs j set
    status = case when p_permanent or j.attempts >= j.max_attempts then 'failed' else 'pending' end,
    run_at = case
      when p_permanent or j.attempts >= j.max_attempts then j.run_at
      else now() + make_interval(secs => coalesce(p_retry_in_ms, private.grading_retry_delay_ms(j.attempts)) / 1000.0)
    end,
    finished_at = case when p_permanent or j.attempts >= j.max_attempts then now() end,
    last_error = left(coalesce(p_error, 'unknown error'), 8000),
    lease_owner = null,
    lease_expires_at = null
  where j.id = p_job_id
    and j.status = 'processing'
    and j.lease_owner = p_worker_id
  returning j.status, j.attempts, j.run_at
$$;

-- heartbeat_grading_jobs(worker_id, job_ids, lease_seconds): extends the leases the
-- worker still holds and returns their ids; a missing id means the lease was lost
-- (expired and taken over, or cancelled) and the worker should stop that job.
create or replace function public.heartbeat_grading_jobs(
  p_worker_id text,
  p_job_ids bigint[],
  p_lease_seconds integer default 30
)
returns setof bigint
language plpgsql
as $$
begin
  update public.grading_workers set last_seen_at = now() where worker_id = p_worker_id;
  return query
  update public.grading_jobs j set
    lease_expires_at = now() + make_interval(secs => p_lease_seconds)
  where j.id = any (p_job_ids)
    and j.status = 'processing'
    and j.lease_owner = p_worker_id
  returning j.id;
end;
$$;

-- release_grading_jobs(worker_id, job_ids, started): hands jobs a worker claimed but
-- will not finish (shutting down) back to pending at once. An attempt that never started
-- its handler is not counted (started = false); a started one is, and a job released
-- during its last attempt fails.
create or replace function public.release_grading_jobs(
  p_worker_id text,
  p_job_ids bigint[],
  p_started boolean default false
)
returns integer
language plpgsql
as $$
declare
  released integer;
begin
  update public.grading_jobs j set
    -- a started attempt counts: after the last one the job fails rather than run once more
    status = case when p_started and j.attempts >= j.max_attempts then 'failed' else 'pending' end,
    finished_at = case when p_started and j.attempts >= j.max_attempts then now() end,
    attempts = case when p_started then j.attempts else greatest(j.attempts - 1, 0) end,
    run_at = now(),
    lease_owner = null,
    lease_expires_at = null,
    last_error = case when p_started then 'released: worker ' || p_worker_id || ' shut down during the attempt' else j.last_error end
  where j.id = any (p_job_ids)
    and j.status = 'processing'
    and j.lease_owner = p_worker_id;
  get diagnostics released = row_count;
  if released > 0 then
    perform pg_notify('grading_jobs', '');
  end if;
  return released;
end;
$$;

-- cancel_grading_job(job_id): a pending or processing job becomes cancelled (a
-- running worker then loses its lease and cannot complete it). Returns the job's
-- status afterwards, or null when there is no such job; finished jobs are unchanged.
create or replace function public.cancel_grading_job(p_job_id bigint)
returns text
language plpgsql
as $$
declare
  new_status text;
begin
  update public.grading_jobs set
    status = 'cancelled',
    finished_at = now(),
    lease_owner = null,
    lease_expires_at = null
  where id = p_job_id and status in ('pending', 'processing')
  returning status into new_status;
  if new_status is null then
    select status into new_status from public.grading_jobs where id = p_job_id;
  end if;
  return new_status;
end;
$$;

-- retry_grading_job(job_id): a failed or cancelled job gets a fresh set of attempts
-- and runs now; its last_error stays as history (a later failure replaces it). Returns the
-- status afterwards (null: no such job). Refused (status unchanged) when another live
-- job already holds its dedupe_key.
create or replace function public.retry_grading_job(p_job_id bigint)
returns text
language plpgsql
as $$
declare
  new_status text;
begin
  begin
    update public.grading_jobs j set
      status = 'pending',
      attempts = 0,
      run_at = now(),
      finished_at = null,
      result = null
    where j.id = p_job_id
      and j.status in ('failed', 'cancelled')
      and not exists (
        select 1 from public.grading_jobs live
        where j.dedupe_key is not null and live.dedupe_key = j.dedupe_key
          and live.status in ('pending', 'processing')
      )
    returning j.status into new_status;
  exception when unique_violation then
    -- A concurrent retry of another job with the same dedupe key won the race: refuse this one.
    new_status := null;
  end;
  if new_status is not null then
    perform pg_notify('grading_jobs', '');
    return new_status;
  end if;
  select status into new_status from public.grading_jobs where id = p_job_id;
  return new_status;
end;
$$;

-- register_grading_worker(worker_id, hostname): records that a long-running worker
-- is alive for as long as a session with this session's application_name exists (and
-- for a short grace after it was last seen). Needs a direct or session-mode connection:
-- behind a transaction pooler a worker must not register (lib/db/sql.ts knows which),
-- and its jobs are then recovered by lease expiry alone. Returns false when this session
-- has no application_name to be recognised by.
create or replace function public.register_grading_worker(p_worker_id text, p_hostname text default null)
returns boolean
language plpgsql
as $$
declare
  session_name text := current_setting('application_name', true);
begin
  if coalesce(session_name, '') = '' or not exists (
    select 1 from pg_stat_activity where pid = pg_backend_pid() and application_name = session_name
  ) then
    return false;
  end if;
  insert into public.grading_workers (worker_id, application_name, hostname)
  values (p_worker_id, session_name, p_hostname)
  on conflict (worker_id) do update set
    application_name = excluded.application_name,
    last_seen_at = now();
  return true;
end;
$$;

-- unregister_grading_worker(worker_id): a worker that shut down cleanly.
create or replace function public.unregister_grading_worker(p_worker_id text)
returns void
language sql
as $$
  delete from public.grading_workers where worker_id = p_worker_id
$$;

-- release_grading_leases(worker_id): recovers the jobs of workers that died. A
-- registered worker whose database sessions are all gone (process killed, machine lost)
-- and that has not been seen for DEAD_WORKER_GRACE (3 s: a connection blip must not
-- cost a live worker its jobs) has its jobs' leases ended now instead of when they run
-- out; then every expired lease goes back to pending (or failed after its last attempt).
-- worker_id: the calling worker, which is marked as seen. Returns how many jobs were
-- requeued or failed. Called every second by each worker, and by drainQueue and the cron route.
create or replace function public.release_grading_leases(p_worker_id text default null)
returns integer
language plpgsql
as $$
begin
  if p_worker_id is not null then
    update public.grading_workers set last_seen_at = now() where worker_id = p_worker_id;
  end if;

  with dead as (
    delete from public.grading_workers w
    where w.last_seen_at < now() - interval '3 seconds'
      and not exists (
        select 1 from pg_stat_activity a where a.application_name = w.application_name
      )
    returning w.worker_id
  )
  update public.grading_jobs j set lease_expires_at = now()
  from dead
  where j.status = 'processing' and j.lease_owner = dead.worker_id;

  return private.requeue_expired_grading_jobs(1000);
end;
$$;

-- cleanup_grading_jobs(retention, batch_limit): deletes completed, failed and
-- cancelled jobs that finished more than retention ago (default 24 hours). Pending
-- and processing jobs are never touched. Returns the number deleted.
create or replace function public.cleanup_grading_jobs(
  p_retention interval default interval '24 hours',
  p_batch_limit integer default 50000
)
returns integer
language plpgsql
as $$
declare
  deleted integer;
begin
  with old as (
    select id from public.grading_jobs
    where status in ('completed', 'failed', 'cancelled')
      and finished_at < now() - p_retention
    limit p_batch_limit
    for update skip locked
  )
  delete from public.grading_jobs j using old
  where j.id = old.id and j.status in ('completed', 'failed', 'cancelled');
  get diagnostics deleted = row_count;
  return deleted;
end;
$$;

-- The queue is driven by the server (service role / database owner), never by browsers.
revoke execute on all functions in schema private from public, anon, authenticated;
grant usage on schema private to service_role;
grant execute on function
  private.grading_retry_delay_ms(integer),
  private.requeue_expired_grading_jobs(integer)
to service_role;
revoke execute on function
  public.enqueue_grading_jobs(jsonb),
  public.claim_grading_jobs(text, integer, integer, text[]),
  public.complete_grading_jobs(text, bigint[], jsonb[]),
  public.complete_grading_job(bigint, text, jsonb),
  public.fail_grading_job(bigint, text, text, integer, boolean),
  public.heartbeat_grading_jobs(text, bigint[], integer),
  public.release_grading_jobs(text, bigint[], boolean),
  public.cancel_grading_job(bigint),
  public.retry_grading_job(bigint),
  public.register_grading_worker(text, text),
  public.unregister_grading_worker(text),
  public.release_grading_leases(text),
  public.cleanup_grading_jobs(interval, integer)
from public, anon, authenticated;
