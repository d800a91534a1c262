-- submissions.status (with its check constraint) was never written or read (#8): a
-- submission's status is derived from its ratings and jobs (lib/grading/submission-state.ts),
-- so a stored copy could only drift. Dropped; landed migrations are never edited.
alter table public.submissions drop column if exists status;
