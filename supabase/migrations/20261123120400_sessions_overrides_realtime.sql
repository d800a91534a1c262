-- Class grading sessions, teacher overrides, and Supabase Realtime broadcasts.

create table public.grading_sessions (
  id uuid primary key default gen_random_uuid(),
  assignment_id uuid not null references public.assignments (id) on delete cascade,
  teacher_id uuid references auth.users (id) on delete set null,
  title text not null check (length(trim(title)) > 0),
  created_at timestamptz not null default now()
);
create index grading_sessions_assignment_id_idx on public.grading_sessions (assignment_id, created_at desc);

alter table public.submissions
  add column session_id uuid references public.grading_sessions (id) on delete set null;
create index submissions_session_id_idx on public.submissions (session_id) where session_id is not null;

-- A teacher's verdict on one line, kept beside the rater's (never overwriting it).
create table public.rating_overrides (
  submission_id uuid not null,
  line_index integer not null,
  score numeric(6, 2) not null,
  label text,
  comment text not null default '',
  teacher_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (submission_id, line_index),
  foreign key (submission_id, line_index)
    references public.submission_lines (submission_id, line_index) on delete cascade
);

-- A teacher's verdict on one rubric criterion of a submission.
create table public.criterion_overrides (
  submission_id uuid not null references public.submissions (id) on delete cascade,
  criterion_id text not null,
  score numeric(6, 2) not null,
  comment text not null default '',
  teacher_id uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (submission_id, criterion_id)
);

-- Teacher overrides win in the phrase cache: raters never overwrite a 'teacher' entry.
alter table public.phrase_cache
  add column source text not null default 'rater' check (source in ('rater', 'teacher'));

alter table public.grading_sessions enable row level security;
alter table public.rating_overrides enable row level security;
alter table public.criterion_overrides enable row level security;

create policy "Teachers can manage sessions for their assignments" on public.grading_sessions
  for all to authenticated
  using (private.teaches_assignment(assignment_id))
  with check (private.teaches_assignment(assignment_id));

create policy "Readers of a submission can read its line overrides" on public.rating_overrides
  for select to authenticated
  using (exists (select 1 from public.submissions s where s.id = rating_overrides.submission_id));

create policy "Readers of a submission can read its criterion overrides" on public.criterion_overrides
  for select to authenticated
  using (exists (select 1 from public.submissions s where s.id = criterion_overrides.submission_id));

-- An override is an event on the submission's stream too.
create or replace function private.tg_overrides__notify_submission()
returns trigger
language plpgsql
as $$
begin
  perform pg_notify('submission_events', new.submission_id::text);
  return null;
end;
$$;

create trigger _500_notify_submission
  after insert or update on public.rating_overrides
  for each row execute function private.tg_overrides__notify_submission();
create trigger _500_notify_submission
  after insert or update on public.criterion_overrides
  for each row execute function private.tg_overrides__notify_submission();

-- Supabase Realtime: Broadcast from the database into the private channel
-- `submission:<id>`, authorised by RLS on realtime.messages (Supabase recommends this over
-- postgres_changes, which re-checks RLS per subscriber on one thread). Only where the
-- realtime schema exists: locally (plain Postgres) the app streams over SSE instead.
do $migration$
begin
  if not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'realtime' and p.proname = 'broadcast_changes'
  ) then
    raise notice 'realtime.broadcast_changes() not found: skipping Realtime broadcast triggers (not a Supabase database)';
    return;
  end if;

  execute $sql$
    create or replace function private.tg_submission_rows__broadcast()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
    as $f$
    begin
      perform realtime.broadcast_changes(
        'submission:' || coalesce(new.submission_id, old.submission_id)::text,
        tg_op, tg_op, tg_table_name, tg_table_schema, new, old
      );
      return null;
    end;
    $f$
  $sql$;

  execute $sql$
    create or replace function private.tg_submissions__broadcast()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
    as $f$
    begin
      perform realtime.broadcast_changes('submission:' || new.id::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
      return null;
    end;
    $f$
  $sql$;

  execute 'create trigger _600_broadcast after insert or update on public.line_ratings
           for each row execute function private.tg_submission_rows__broadcast()';
  execute 'create trigger _600_broadcast after insert or update on public.rating_overrides
           for each row execute function private.tg_submission_rows__broadcast()';
  execute 'create trigger _600_broadcast after update of graded_at on public.submissions
           for each row execute function private.tg_submissions__broadcast()';
  execute 'create trigger _600_broadcast after insert or update on public.criterion_overrides
           for each row execute function private.tg_submission_rows__broadcast()';

  -- A job failing for good changes what the page shows (errors, Retry) too; the page
  -- refetches the submission on any broadcast.
  execute $sql$
    create or replace function private.tg_grading_jobs__broadcast_failure()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
    as $f$
    begin
      -- Only what the page needs: the whole row would show students last_error (model,
      -- endpoint, parts of an LLM answer) and lease_owner (host and pid).
      perform realtime.send(
        jsonb_build_object('jobId', new.id, 'kind', new.kind, 'status', new.status),
        'JOB_FAILED',
        'submission:' || (new.payload ->> 'submissionId'),
        true
      );
      return null;
    end;
    $f$
  $sql$;
  execute 'create trigger _600_broadcast_failure after update of status on public.grading_jobs
           for each row
           when (new.status = ''failed'' and old.status is distinct from ''failed'' and new.payload ? ''submissionId'')
           execute function private.tg_grading_jobs__broadcast_failure()';

  execute $sql$
    create policy "Readers of a submission can receive its broadcasts" on realtime.messages
      for select to authenticated
      using (
        realtime.topic() like 'submission:%'
        and exists (
          select 1 from public.submissions s
          where s.id::text = split_part(realtime.topic(), ':', 2)
        )
      )
  $sql$;
end
$migration$;
