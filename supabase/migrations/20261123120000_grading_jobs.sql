-- The grading queue: one row per unit of background work (rating five lines, scoring
-- a submission, extracting a rubric…). Postgres is the source of truth; see
-- 20261123120100_grading_queue_functions.sql for the operations on it.

create schema if not exists private;

create table public.grading_jobs (
  id bigint generated always as identity primary key,
  -- snake_case verb_noun, e.g. rate_lines; the payload is validated per kind in lib/queue/job-kinds.ts
  kind text not null check (kind ~ '^[a-z][a-z0-9_]*$'),
  payload jsonb not null default '{}'::jsonb,
  status text not null default 'pending'
    check (status in ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  -- lower runs sooner (like nice(1) and graphile-worker)
  priority smallint not null default 0,
  run_at timestamptz not null default now(),
  -- counted when a job is claimed, so an attempt that crashed its worker still counts
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 5 check (max_attempts between 1 and 100),
  lease_owner text,
  lease_expires_at timestamptz,
  -- a second enqueue with the key of a pending or processing job is a no-op
  dedupe_key text,
  last_error text,
  result jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  constraint grading_jobs_lease_matches_status check (
    (status = 'processing') = (lease_owner is not null and lease_expires_at is not null)
  )
);

comment on table public.grading_jobs is
  'Background work queue. Claimed with FOR UPDATE SKIP LOCKED under a lease; see claim_grading_jobs().';

-- The claim scans this in order and stops after batch_size rows.
create index grading_jobs_pending_idx on public.grading_jobs (priority, run_at, id)
  where status = 'pending';
create index grading_jobs_lease_expiry_idx on public.grading_jobs (lease_expires_at)
  where status = 'processing';
create index grading_jobs_lease_owner_idx on public.grading_jobs (lease_owner)
  where status = 'processing';
create unique index grading_jobs_live_dedupe_key_idx on public.grading_jobs (dedupe_key)
  where dedupe_key is not null and status in ('pending', 'processing');
create index grading_jobs_finished_at_idx on public.grading_jobs (finished_at)
  where status in ('completed', 'failed', 'cancelled');

-- Long-running workers register the application_name their database sessions carry,
-- so that when a worker dies (its sessions vanish at once) its jobs are released
-- without waiting for their leases to run out.
create table public.grading_workers (
  worker_id text primary key,
  application_name text not null,
  hostname text,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);

-- Operators only: no API role reads or writes the queue directly.
alter table public.grading_jobs enable row level security;
alter table public.grading_workers enable row level security;
revoke all on public.grading_jobs, public.grading_workers from anon, authenticated;
