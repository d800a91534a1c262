-- What gets graded and what the graders said: assignments (with their rubric),
-- submissions split into lines, one rating per line, and the phrase cache that
-- spares LLM calls for lines seen before.

create table public.assignments (
  id uuid primary key default gen_random_uuid(),
  teacher_id uuid references auth.users (id) on delete set null,
  title text not null check (length(trim(title)) > 0),
  prompt text not null default '',
  -- {criteria: [{id, name, description, levels: [{score, label, description}]}], scale: {min, max}}
  rubric jsonb not null default '{"criteria": []}'::jsonb,
  -- bumped whenever the rubric changes, so cached ratings made under an older rubric miss
  rubric_version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.submissions (
  id uuid primary key default gen_random_uuid(),
  assignment_id uuid not null references public.assignments (id) on delete cascade,
  student_id uuid references auth.users (id) on delete set null,
  student_name text not null default '',
  body text not null,
  -- the draft this one revises, so unchanged lines can be told from changed ones
  previous_submission_id uuid references public.submissions (id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'grading', 'graded', 'failed')),
  line_count integer not null default 0 check (line_count >= 0),
  -- per-criterion scores and overall feedback, written by the grade_submission job
  scores jsonb,
  feedback text,
  rater text,
  created_at timestamptz not null default now(),
  graded_at timestamptz
);
create index submissions_assignment_id_idx on public.submissions (assignment_id, created_at desc);
create index submissions_student_id_idx on public.submissions (student_id, created_at desc);

create table public.submission_lines (
  submission_id uuid not null references public.submissions (id) on delete cascade,
  line_index integer not null check (line_index >= 0),
  body text not null,
  start_offset integer not null check (start_offset >= 0),
  end_offset integer not null check (end_offset >= start_offset),
  changed_since_previous boolean not null default true,
  primary key (submission_id, line_index)
);

create table public.line_ratings (
  id bigint generated always as identity primary key,
  submission_id uuid not null,
  line_index integer not null,
  score numeric(6, 2) not null,
  label text not null,
  comment text not null default '',
  suggestion text,
  criterion_id text,
  rater text not null,
  from_cache boolean not null default false,
  created_at timestamptz not null default now(),
  -- a re-run of a job never duplicates a rating
  unique (submission_id, line_index),
  foreign key (submission_id, line_index)
    references public.submission_lines (submission_id, line_index) on delete cascade
);

create table public.phrase_cache (
  -- hash of the normalised text plus everything that makes a rating valid
  -- (rubric version, rater and model, prompt version); see lib/grading/phrase-cache.ts
  cache_key text primary key,
  normalized_text text not null,
  rating jsonb not null,
  rater text not null,
  hit_count integer not null default 0,
  created_at timestamptz not null default now(),
  last_hit_at timestamptz
);
create index phrase_cache_cold_idx on public.phrase_cache (coalesce(last_hit_at, created_at));

-- Row Level Security: students see their own work, teachers the work for their
-- assignments. The server connects as the table owner and is not subject to these.
alter table public.assignments enable row level security;
alter table public.submissions enable row level security;
alter table public.submission_lines enable row level security;
alter table public.line_ratings enable row level security;
alter table public.phrase_cache enable row level security;
revoke all on public.phrase_cache from anon, authenticated;

-- Security definer so policies on assignments and submissions can consult each other
-- without recursing through each other's RLS.
create function private.teaches_assignment(p_assignment_id uuid)
returns boolean language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.assignments a
    where a.id = p_assignment_id and a.teacher_id = (select auth.uid())
  )
$$;

create function private.submitted_to_assignment(p_assignment_id uuid)
returns boolean language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.submissions s
    where s.assignment_id = p_assignment_id and s.student_id = (select auth.uid())
  )
$$;

grant usage on schema private to authenticated;
grant execute on function private.teaches_assignment(uuid), private.submitted_to_assignment(uuid) to authenticated;

create policy "Teachers can manage their assignments" on public.assignments
  for all to authenticated
  using (teacher_id = (select auth.uid()))
  with check (teacher_id = (select auth.uid()));

create policy "Students can read assignments they submitted to" on public.assignments
  for select to authenticated
  using (private.submitted_to_assignment(id));

create policy "Students can read their own submissions" on public.submissions
  for select to authenticated
  using (student_id = (select auth.uid()));

create policy "Teachers can read submissions for their assignments" on public.submissions
  for select to authenticated
  using (private.teaches_assignment(assignment_id));

create policy "Readers of a submission can read its lines" on public.submission_lines
  for select to authenticated
  using (exists (select 1 from public.submissions s where s.id = submission_lines.submission_id));

create policy "Readers of a submission can read its ratings" on public.line_ratings
  for select to authenticated
  using (exists (select 1 from public.submissions s where s.id = line_ratings.submission_id));
