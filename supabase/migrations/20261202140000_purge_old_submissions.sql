-- Retention of students' work (#9): until now every essay, its lines, ratings and a
-- teacher's overrides were kept forever. purge_old_submissions(older_than, batch_limit)
-- deletes submissions created more than older_than ago, oldest first, at most
-- batch_limit per call (call it again while it returns batch_limit), and with them:
--   * their lines, ratings, line and criterion overrides (foreign keys, on delete cascade);
--   * their Idempotency-Keys (columns of the row);
--   * their finished jobs (completed, failed, cancelled: a failed one could otherwise be
--     retried against a submission that no longer exists);
--   * class sessions past the same age that are left with no submission.
-- A submission with a pending or processing job is skipped, as cleanup_grading_jobs never
-- deletes unfinished work; it goes on a later call, once its jobs have finished. A later
-- draft of a purged submission keeps its own rows (previous_submission_id is set null).
-- Rows another purge holds are skipped, so two cleanups at once (a worker and the cron)
-- never wait on each other. Returns the number of submissions deleted.
-- The app calls it from every cleanup when RETENTION_DAYS is set (lib/env.ts); an Edge
-- Function or pg_cron can call it directly: select purge_old_submissions(interval '365 days').

create or replace function public.purge_old_submissions(
  p_older_than interval,
  p_batch_limit integer default 500
)
returns integer
language plpgsql
as $$
declare
  cutoff timestamptz;
  deleted integer;
begin
  if p_older_than is null or p_older_than <= interval '0' then
    raise exception 'purge_old_submissions: the retention period must be longer than zero, got %', p_older_than
      using errcode = '22023';
  end if;
  if p_batch_limit is null or p_batch_limit < 1 then
    raise exception 'purge_old_submissions: the batch limit must be at least 1, got %', p_batch_limit
      using errcode = '22023';
  end if;
  cutoff := now() - p_older_than;

  with old as (
    select s.id from public.submissions s
    where s.created_at < cutoff
      and not exists (
        select 1 from public.grading_jobs j
        where j.payload ? 'submissionId'
          and j.payload ->> 'submissionId' = s.id::text
          and j.status in ('pending', 'processing')
      )
    order by s.created_at
    limit p_batch_limit
    for update of s skip locked
  ),
  gone as (
    delete from public.submissions s using old where s.id = old.id returning s.id
  ),
  gone_jobs as (
    delete from public.grading_jobs j using gone
    where j.payload ? 'submissionId'
      and j.payload ->> 'submissionId' = gone.id::text
      and j.status in ('completed', 'failed', 'cancelled')
  )
  select count(*)::int into deleted from gone;

  delete from public.grading_sessions g
  where g.created_at < cutoff
    and not exists (select 1 from public.submissions s where s.session_id = g.id);

  return deleted;
end;
$$;

comment on function public.purge_old_submissions(interval, integer) is
  'Deletes submissions older than the interval (with lines, ratings, overrides, finished jobs) and sessions left empty; skips those with unfinished jobs. #9';

-- Run by the server (database owner / service role), never by browsers.
revoke execute on function public.purge_old_submissions(interval, integer) from public, anon, authenticated;
