"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { CriterionFieldset } from "@/app/assignments/criterion-fieldset";
import { describedBy, FieldError } from "@/app/components/field-error";
import {
  describeDraftPath,
  draftFromAssignment,
  MAX_CRITERIA,
  MAX_PROMPT_LENGTH,
  MAX_TITLE_LENGTH,
  newCriterion,
  validateAssignmentDraft,
  type AssignmentBodyInput,
  type AssignmentDraft,
  type DraftErrors,
} from "@/lib/assignments/assignment-draft";
import { errorMessageOf, requestJson } from "@/lib/client/request-json";

interface AssignmentFormProps {
  /** Set when editing: the form PUTs instead of POSTing. */
  assignmentId?: string;
  initial: AssignmentBodyInput | null;
}

/** Title, prompt and rubric, checked in the browser with the server's own rubricSchema before saving. */
export function AssignmentForm({ assignmentId, initial }: AssignmentFormProps) {
  const router = useRouter();
  const [draft, setDraft] = useState<AssignmentDraft>(() => draftFromAssignment(initial));
  const [errors, setErrors] = useState<DraftErrors>({});
  // Problems show from the first Save on, then follow each keystroke.
  const [checked, setChecked] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const update = (next: AssignmentDraft) => {
    setDraft(next);
    if (checked) setErrors(validateAssignmentDraft(next).errors ?? {});
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    setServerError(null);
    const result = validateAssignmentDraft(draft);
    if (result.errors) {
      setErrors(result.errors);
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      const saved = await requestJson<{ id: string }>(assignmentId ? `/api/assignments/${assignmentId}` : "/api/assignments", {
        method: assignmentId ? "PUT" : "POST",
        body: JSON.stringify(result.body),
      });
      router.push(`/assignments/${saved.id}`);
      router.refresh();
    } catch (caught) {
      setServerError(errorMessageOf(caught));
      setSaving(false);
    }
  };

  const errorList = Object.entries(errors);
  return (
    <form className="stack" onSubmit={submit} noValidate data-testid="assignment-form">
      {errorList.length > 0 && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef} data-testid="form-errors">
          <h2>Fix {errorList.length === 1 ? "this problem" : `these ${errorList.length} problems`} to save</h2>
          <ul>
            {errorList.map(([path, message]) => (
              <li key={path}>
                {describeDraftPath(path)}: {message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="field">
        <label htmlFor="title">Title</label>
        <input
          id="title"
          maxLength={MAX_TITLE_LENGTH}
          value={draft.title}
          onChange={(event) => update({ ...draft, title: event.target.value })}
          {...describedBy("title-error", errors.title)}
        />
        <FieldError id="title-error" message={errors.title} />
      </div>
      <div className="field">
        <label htmlFor="prompt">Prompt</label>
        <textarea
          id="prompt"
          rows={3}
          maxLength={MAX_PROMPT_LENGTH}
          value={draft.prompt}
          onChange={(event) => update({ ...draft, prompt: event.target.value })}
          {...describedBy("prompt-error", errors.prompt, "prompt-hint")}
        />
        <p id="prompt-hint" className="hint">
          What students are asked to write. The grader reads it too.
        </p>
        <FieldError id="prompt-error" message={errors.prompt} />
      </div>

      <fieldset className="scale-fieldset">
        <legend>Score scale</legend>
        <div className="field-row">
          <div className="field field-score">
            <label htmlFor="scale-min">Lowest score</label>
            <input
              id="scale-min"
              type="number"
              inputMode="decimal"
              step="any"
              value={draft.scaleMin}
              onChange={(event) => update({ ...draft, scaleMin: event.target.value })}
              {...describedBy("scale-min-error", errors["rubric.scale.min"])}
            />
            <FieldError id="scale-min-error" message={errors["rubric.scale.min"]} />
          </div>
          <div className="field field-score">
            <label htmlFor="scale-max">Highest score</label>
            <input
              id="scale-max"
              type="number"
              inputMode="decimal"
              step="any"
              value={draft.scaleMax}
              onChange={(event) => update({ ...draft, scaleMax: event.target.value })}
              {...describedBy("scale-max-error", errors["rubric.scale.max"] ?? errors["rubric.scale"])}
            />
            <FieldError id="scale-max-error" message={errors["rubric.scale.max"] ?? errors["rubric.scale"]} />
          </div>
        </div>
      </fieldset>

      <section aria-labelledby="criteria-heading" className="stack">
        <h2 id="criteria-heading">Criteria</h2>
        <FieldError id="criteria-error" message={errors["rubric.criteria"]} />
        {draft.criteria.map((criterion, index) => (
          <CriterionFieldset
            key={criterion.key}
            criterion={criterion}
            index={index}
            errors={errors}
            canRemove={draft.criteria.length > 1}
            onChange={(next) => update({ ...draft, criteria: draft.criteria.map((held, at) => (at === index ? next : held)) })}
            onRemove={() => update({ ...draft, criteria: draft.criteria.filter((_, at) => at !== index) })}
          />
        ))}
        <div>
          <button
            type="button"
            onClick={() => update({ ...draft, criteria: [...draft.criteria, newCriterion(draft)] })}
            disabled={draft.criteria.length >= MAX_CRITERIA}
            data-testid="add-criterion"
          >
            Add criterion
          </button>
        </div>
      </section>

      {serverError && (
        <p className="error-box" role="alert" data-testid="server-error">
          Could not save: {serverError}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button-primary" disabled={saving} data-testid="save-assignment">
          {saving ? "Saving…" : assignmentId ? "Save changes" : "Create assignment"}
        </button>
        <a href={assignmentId ? `/assignments/${assignmentId}` : "/assignments"}>Cancel</a>
      </div>
    </form>
  );
}
