-- Hostile input (#9): the phrase cache is scoped to one assignment, and an essay that
-- talks to the grader is flagged for the teacher.
--
-- Until now a cached rating was shared by every assignment with the same rubric, and a
-- teacher's override replaced that shared entry: a comment written on one student's line
-- reached students of other teachers. lib/grading/phrase-cache.ts now keys an entry by the
-- assignment (its id, teacher, title and prompt) as well as the rubric and the rater
-- (CACHE_KEY_VERSION 2), so no entry written before can be found again; they may carry
-- other students' words, so they go now rather than at eviction. Teachers' overrides stay
-- in rating_overrides; only their copies in the cache go.
delete from public.phrase_cache;

-- The assignment an entry belongs to: lookups match it besides the key, and deleting an
-- assignment deletes what its essays left in the cache. Nullable only because rows written
-- by hand (tests of other tables) need not name one; such a row is never found.
alter table public.phrase_cache
  add column assignment_id uuid references public.assignments (id) on delete cascade;
create index phrase_cache_assignment_id_idx on public.phrase_cache (assignment_id);

-- Set by the rate_lines job when a line it sends to the rater looks like an instruction
-- to the grader (lib/grading/prompt-injection.ts); flag_reason is the sentence the teacher
-- sees. The first flag is kept.
alter table public.submissions
  add column flagged_at timestamptz,
  add column flag_reason text,
  add constraint submissions_flag_check check ((flagged_at is null) = (flag_reason is null));
