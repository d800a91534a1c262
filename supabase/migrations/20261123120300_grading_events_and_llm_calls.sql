-- Streaming and accounting for the grading pipeline:
-- * submissions.event_seq orders a submission's events (ratings, the final grade) in
--   commit order, so a client resuming with Last-Event-ID misses nothing;
-- * NOTIFY submission_events wakes the Server-Sent Events streams;
-- * llm_calls records every LLM call's tokens, latency and cost.

alter table public.submissions
  add column event_seq integer not null default 0,
  -- the event id of the final `graded` event
  add column graded_seq integer,
  add column overall_score numeric(6, 2),
  -- the essay text and everything the grade depends on, hashed: an identical resubmission reuses the grade
  add column grade_cache_key text;
create index submissions_grade_cache_key_idx on public.submissions (grade_cache_key) where grade_cache_key is not null;

alter table public.line_ratings
  add column seq integer not null default 0;
create index line_ratings_submission_seq_idx on public.line_ratings (submission_id, seq);

-- Jobs of a submission are found by their payload (the queue stays generic).
create index grading_jobs_submission_id_idx on public.grading_jobs ((payload ->> 'submissionId'))
  where payload ? 'submissionId';

create table public.llm_calls (
  id bigint generated always as identity primary key,
  job_id bigint,
  submission_id uuid,
  purpose text not null check (purpose in ('rate_lines', 'grade_submission', 'extract_rubric', 'enhance_rubric')),
  rater text not null,
  model text not null,
  prompt_tokens integer not null default 0,
  completion_tokens integer not null default 0,
  latency_ms integer not null default 0,
  cost_usd numeric(12, 6) not null default 0,
  created_at timestamptz not null default now()
);
create index llm_calls_created_at_idx on public.llm_calls (created_at);
alter table public.llm_calls enable row level security;
revoke all on public.llm_calls from anon, authenticated;

-- tg_line_ratings__notify_submission: one NOTIFY per submission per statement (a job
-- writes its five ratings in one insert). Payload: the submission id.
create or replace function private.tg_line_ratings__notify_submission()
returns trigger
language plpgsql
as $$
declare
  changed_submission uuid;
begin
  for changed_submission in select distinct submission_id from inserted loop
    perform pg_notify('submission_events', changed_submission::text);
  end loop;
  return null;
end;
$$;

create trigger _500_notify_submission
  after insert on public.line_ratings
  referencing new table as inserted
  for each statement
  execute function private.tg_line_ratings__notify_submission();

-- tg_submissions__notify_graded: the final grade is an event too.
create or replace function private.tg_submissions__notify_graded()
returns trigger
language plpgsql
as $$
begin
  perform pg_notify('submission_events', new.id::text);
  return null;
end;
$$;

create trigger _500_notify_graded
  after update of graded_at on public.submissions
  for each row
  when (new.graded_at is distinct from old.graded_at)
  execute function private.tg_submissions__notify_graded();

-- tg_grading_jobs__notify_submission_failed: a submission's job that failed for good
-- ends its stream with a `failed` event. The WHEN clause keeps the queue's hot path free
-- of any function call.
create or replace function private.tg_grading_jobs__notify_submission_failed()
returns trigger
language plpgsql
as $$
begin
  perform pg_notify('submission_events', new.payload ->> 'submissionId');
  return null;
end;
$$;

create trigger _500_notify_submission_failed
  after update of status on public.grading_jobs
  for each row
  when (new.status = 'failed' and old.status is distinct from 'failed' and new.payload ? 'submissionId')
  execute function private.tg_grading_jobs__notify_submission_failed();
