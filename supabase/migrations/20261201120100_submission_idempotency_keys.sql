-- Idempotency-Key on the requests that start grading (issue #7): POST /api/grade/stream
-- and /api/submissions store the key with the submission, POST /api/sessions with the
-- class session, in the same transaction as everything the request creates. The unique
-- constraint decides between two requests carrying one key, even when they arrive at
-- the same moment: the second insert waits for the first transaction, then finds the
-- key taken (insert … on conflict do nothing) and answers with what the first created.
-- request_fingerprint (sha256 of the parsed request) tells a retry of the same request
-- from a different request that reuses the key (422).
-- A request that failed wrote nothing, its key included, so retrying it starts afresh.

alter table public.submissions
  add column idempotency_key text
    constraint submissions_idempotency_key_key unique
    constraint submissions_idempotency_key_check check (char_length(idempotency_key) between 1 and 255),
  add column request_fingerprint text,
  add constraint submissions_idempotency_fingerprint_check check ((idempotency_key is null) = (request_fingerprint is null));

alter table public.grading_sessions
  add column idempotency_key text
    constraint grading_sessions_idempotency_key_key unique
    constraint grading_sessions_idempotency_key_check check (char_length(idempotency_key) between 1 and 255),
  add column request_fingerprint text,
  add constraint grading_sessions_idempotency_fingerprint_check check ((idempotency_key is null) = (request_fingerprint is null));
