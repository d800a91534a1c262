-- A person's Retry (the monitor, a submission's Retry button, POST /api/jobs/:id/retry)
-- used to reset a failed job's attempts without limit: a job that always fails could be
-- sent back to the LLM forever, max_attempts paid calls each time (#9). Each job now
-- counts its manual retries and refuses one past max_manual_retries.

alter table public.grading_jobs
  add column if not exists manual_retries integer not null default 0
    constraint grading_jobs_manual_retries_check check (manual_retries >= 0),
  add column if not exists max_manual_retries integer not null default 3
    constraint grading_jobs_max_manual_retries_check check (max_manual_retries between 0 and 100);

comment on column public.grading_jobs.manual_retries is
  'How many times a person has retried this job (retry_grading_job); refused at max_manual_retries.';

-- retry_grading_job(job_id): a failed or cancelled job gets a fresh set of attempts
-- and runs now, counting one manual retry; its last_error stays as history (a later
-- failure replaces it). Returns the status afterwards (null: no such job). Refused
-- (status unchanged) when another live job already holds its dedupe_key, or when the
-- job has used its max_manual_retries: the caller reads manual_retries to say which.
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
      manual_retries = j.manual_retries + 1,
      run_at = now(),
      finished_at = null,
      result = null
    where j.id = p_job_id
      and j.status in ('failed', 'cancelled')
      and j.manual_retries < j.max_manual_retries
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

revoke execute on function public.retry_grading_job(bigint) from public, anon, authenticated;
