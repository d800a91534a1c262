-- Dead-worker detection that survives a database restart (#7).
--
-- release_grading_leases() declared a registered worker dead when none of its sessions
-- existed and it had not been seen for 3 s. After a restart every session is gone and
-- last_seen_at cannot advance while the server is down, so after a 6 s crash-restart live
-- workers were declared dead 3–12 s after recovery and their jobs ran twice. Now the
-- grace also runs from the server's (re)start: nobody is declared dead until the server
-- has been up for RESTART_GRACE (10 s), time enough for live workers to reconnect.

-- private.grading_server_started_at(): when this server last began serving: its start, or
-- the end of its last crash restart (the postmaster survives a backend crash, so
-- pg_postmaster_start_time() stays put, but it restarts the checkpointer). Security
-- definer because backend_start of other roles' processes is hidden from unprivileged
-- callers; where the owner cannot see it either, the postmaster start time remains.
create or replace function private.grading_server_started_at()
returns timestamptz
language sql
stable
security definer
set search_path = ''
as $$
  select greatest(
    pg_catalog.pg_postmaster_start_time(),
    (select max(a.backend_start) from pg_catalog.pg_stat_activity a where a.backend_type = 'checkpointer')
  )
$$;

-- release_grading_leases(worker_id): recovers the jobs of workers that died. A
-- registered worker whose database sessions are all gone (process killed, machine lost)
-- and that has not been seen for 3 s — counting from the server's last (re)start plus
-- 7 s when that is later — has its jobs' leases ended now instead of when they run out;
-- then every expired lease goes back to pending (or failed after its last attempt).
-- worker_id: the calling worker, which is marked as seen. Returns how many jobs were
-- requeued or failed. Called every second by each worker, and by drainQueue and the cron route.
create or replace function public.release_grading_leases(p_worker_id text default null)
returns integer
language plpgsql
as $$
declare
  -- A worker counts as seen at the server's (re)start + 7 s at the latest, so with the
  -- 3 s grace nobody is declared dead in the first 10 s a server is up.
  seen_floor timestamptz := private.grading_server_started_at() + interval '7 seconds';
begin
  if p_worker_id is not null then
    update public.grading_workers set last_seen_at = now() where worker_id = p_worker_id;
  end if;

  with dead as (
    delete from public.grading_workers w
    where greatest(w.last_seen_at, seen_floor) < now() - interval '3 seconds'
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

revoke execute on function private.grading_server_started_at() from public, anon, authenticated;
grant execute on function private.grading_server_started_at() to service_role;
revoke execute on function public.release_grading_leases(text) from public, anon, authenticated;
