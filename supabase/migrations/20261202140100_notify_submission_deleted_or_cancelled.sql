-- Live streams read the database only when NOTIFY submission_events says something
-- changed (#9), plus a safety poll every 30 s; before, they polled every 2 s and saw every
-- change that way. Two changes to what a stream answers did not notify:
--   * a submission deleted (by hand, or by purge_old_submissions): its stream ends with
--     "The submission no longer exists.";
--   * a job of the submission cancelled by a person: with no job left open an ungraded
--     submission is failed, just as when a job fails for good (which notifies already).
-- Payload: the submission id, as the other submission_events triggers send it.

create or replace function private.tg_submissions__notify_deleted()
returns trigger
language plpgsql
as $$
declare
  gone uuid;
begin
  for gone in select id from deleted loop
    perform pg_notify('submission_events', gone::text);
  end loop;
  return null;
end;
$$;

create trigger _500_notify_deleted
  after delete on public.submissions
  referencing old table as deleted
  for each statement
  execute function private.tg_submissions__notify_deleted();

-- The failed-job trigger's function sends the payload's submissionId: the same for a cancel.
create trigger _500_notify_submission_cancelled
  after update of status on public.grading_jobs
  for each row
  when (new.status = 'cancelled' and old.status is distinct from 'cancelled' and new.payload ? 'submissionId')
  execute function private.tg_grading_jobs__notify_submission_failed();

revoke execute on function private.tg_submissions__notify_deleted() from public, anon, authenticated;
