"use client";

import { useId, useState, type FormEvent } from "react";
import { formatScore } from "@/app/components/score-level";
import { errorMessageOf } from "@/lib/client/request-json";

export interface OverrideValues {
  score: number;
  comment: string;
}

interface OverrideFormProps {
  /** What is being overridden, for labels: "line 3", "Organization". */
  subject: string;
  scale: { min: number; max: number };
  initial: OverrideValues | null;
  maxCommentLength: number;
  /** PUTs the override; throws with the server's message. */
  onSave(values: OverrideValues): Promise<void>;
}

/** The teacher's "Override" control: a disclosure with a score on the rubric scale, a comment and Save. */
export function OverrideForm({ subject, scale, initial, maxCommentLength, onSave }: OverrideFormProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [score, setScore] = useState(initial ? String(initial.score) : "");
  const [comment, setComment] = useState(initial?.comment ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = Number(score);
    if (score.trim() === "" || !Number.isFinite(value)) return setError("Enter a score.");
    if (value < scale.min || value > scale.max)
      return setError(`The score must be between ${formatScore(scale.min)} and ${formatScore(scale.max)}.`);
    setSaving(true);
    setError(null);
    try {
      await onSave({ score: value, comment: comment.trim() });
      setOpen(false);
    } catch (caught) {
      setError(errorMessageOf(caught));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="override">
      <button
        type="button"
        className="button-small"
        aria-expanded={open}
        aria-controls={`${id}-form`}
        data-testid="override-toggle"
        onClick={() => setOpen((value) => !value)}
      >
        {initial ? "Change override" : "Override"}
        <span className="visually-hidden"> {subject}</span>
      </button>
      {open && (
        <form
          id={`${id}-form`}
          className="override-form"
          onSubmit={submit}
          noValidate
          data-testid="override-form"
          aria-label={`Override ${subject}`}
        >
          <div className="field field-inline">
            <label htmlFor={`${id}-score`}>
              Score ({formatScore(scale.min)}–{formatScore(scale.max)})
            </label>
            <input
              id={`${id}-score`}
              type="number"
              inputMode="decimal"
              min={scale.min}
              max={scale.max}
              step="any"
              required
              value={score}
              onChange={(event) => {
                setScore(event.target.value);
                setError(null);
              }}
              aria-invalid={error !== null}
              aria-describedby={error ? `${id}-error` : undefined}
              data-testid="override-score"
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-comment`}>Comment (optional)</label>
            <textarea
              id={`${id}-comment`}
              rows={2}
              maxLength={maxCommentLength}
              value={comment}
              onChange={(event) => setComment(event.target.value)}
              data-testid="override-comment"
            />
          </div>
          {error && (
            <p id={`${id}-error`} className="error" role="alert" data-testid="override-error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="button-primary button-small" disabled={saving} data-testid="override-save">
              {saving ? "Saving…" : "Save"}
            </button>
            <button type="button" className="button-small" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
