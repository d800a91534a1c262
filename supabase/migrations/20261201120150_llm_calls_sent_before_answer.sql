-- Every LLM request is on record before it is sent (issue #7): calls cut off by a crash
-- never reached llm_calls (1,058 requests, 990 recorded), so cost was under-counted
-- exactly when things went wrong. Now the rater writes a row with status 'sent' and an
-- estimate of the prompt's tokens and cost before each HTTP request (SDK retries
-- included), and completes it when the request ends:
--   sent       on record, no outcome yet: in flight, or its process died
--   answered   a response with usage came back (used or not: malformed answers are billed)
--   failed     an error response came back (429, 5xx, …) or a 2xx that could not be read
--   no_answer  the request ended without a response (timeout, abort, connection lost)
-- created_at is when the request was sent (the row is written just before), answered_at
-- when it ended. Rows written after the fact (raters that report usage only, and every
-- row before this migration) are 'answered', the column's default.

alter table public.llm_calls
  add column status text not null default 'answered'
    constraint llm_calls_status_check check (status in ('sent', 'answered', 'failed', 'no_answer')),
  -- the SDK's retry number within one rater call: 0 for the first request
  add column attempt integer not null default 0 constraint llm_calls_attempt_check check (attempt >= 0),
  add column prompt_tokens_estimate integer constraint llm_calls_prompt_tokens_estimate_check check (prompt_tokens_estimate >= 0),
  -- what the estimated prompt costs at the model's input price; the answer's cost goes to cost_usd
  add column cost_usd_estimate numeric(12, 6),
  add column http_status integer,
  add column error text,
  add column answered_at timestamptz;
