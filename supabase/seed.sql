-- A demo assignment with a fixed id, so the README's curl example works on a fresh
-- database. Idempotent: `npm start` applies it to the embedded database every start.
insert into public.assignments (id, title, prompt, rubric)
values (
  '00000000-0000-4000-8000-000000000001',
  'Persuasive essay: should schools start later?',
  'Argue for or against a later school start time. Use evidence and address the other side.',
  '{
    "scale": {"min": 1, "max": 5},
    "criteria": [
      {"id": "ideas", "name": "Ideas and evidence", "description": "A clear claim supported with relevant reasons and evidence.",
       "levels": [{"score": 1, "label": "Beginning", "description": "No clear claim."},
                  {"score": 3, "label": "Developing", "description": "A claim with some support."},
                  {"score": 5, "label": "Strong", "description": "A precise claim, well supported."}]},
      {"id": "organization", "name": "Organization", "description": "Logical order, paragraphs, transitions.",
       "levels": [{"score": 1, "label": "Beginning", "description": "Hard to follow."},
                  {"score": 3, "label": "Developing", "description": "Mostly ordered."},
                  {"score": 5, "label": "Strong", "description": "Flows logically with clear transitions."}]},
      {"id": "conventions", "name": "Conventions", "description": "Spelling, grammar, punctuation.",
       "levels": [{"score": 1, "label": "Beginning", "description": "Errors block meaning."},
                  {"score": 3, "label": "Developing", "description": "Some errors."},
                  {"score": 5, "label": "Strong", "description": "Nearly error-free."}]}
    ]
  }'::jsonb
)
on conflict (id) do nothing;
