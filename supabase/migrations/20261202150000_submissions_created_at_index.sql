-- purge_old_submissions (RETENTION_DAYS) walks submissions oldest first from a cutoff,
-- every 10 minutes in every worker and web app: without an index on created_at each run
-- reads the whole table (#9 review).
create index if not exists submissions_created_at_idx on public.submissions (created_at);
