import { describedBy, FieldError } from "@/app/components/field-error";
import type { DraftErrors, LevelDraft } from "@/lib/assignments/assignment-draft";

interface LevelFieldsProps {
  level: LevelDraft;
  /** "criteria.0.levels.1", for ids and error keys. */
  path: string;
  position: number;
  criterionName: string;
  errors: DraftErrors;
  canRemove: boolean;
  onChange(patch: Partial<LevelDraft>): void;
  onRemove(): void;
}

/** One performance level of a criterion: score, label, description. */
export function LevelFields({ level, path, position, criterionName, errors, canRemove, onChange, onRemove }: LevelFieldsProps) {
  const id = path.replaceAll(".", "-");
  const error = (field: string) => errors[`rubric.${path}.${field}`];
  return (
    <fieldset className="level-fields" data-testid="level-fields">
      <legend>
        Level {position}
        <span className="visually-hidden"> of {criterionName || "this criterion"}</span>
      </legend>
      <div className="field field-score">
        <label htmlFor={`${id}-score`}>Score</label>
        <input
          id={`${id}-score`}
          type="number"
          inputMode="decimal"
          step="any"
          value={level.score}
          onChange={(event) => onChange({ score: event.target.value })}
          {...describedBy(`${id}-score-error`, error("score"))}
        />
        <FieldError id={`${id}-score-error`} message={error("score")} />
      </div>
      <div className="field field-label">
        <label htmlFor={`${id}-label`}>Label</label>
        <input
          id={`${id}-label`}
          maxLength={80}
          value={level.label}
          onChange={(event) => onChange({ label: event.target.value })}
          {...describedBy(`${id}-label-error`, error("label"))}
        />
        <FieldError id={`${id}-label-error`} message={error("label")} />
      </div>
      <div className="field field-grow">
        <label htmlFor={`${id}-description`}>What it looks like</label>
        <input
          id={`${id}-description`}
          maxLength={1000}
          value={level.description}
          onChange={(event) => onChange({ description: event.target.value })}
          {...describedBy(`${id}-description-error`, error("description"))}
        />
        <FieldError id={`${id}-description-error`} message={error("description")} />
      </div>
      <button type="button" className="button-small button-quiet" onClick={onRemove} disabled={!canRemove} data-testid="remove-level">
        Remove<span className="visually-hidden"> level {position}</span>
      </button>
    </fieldset>
  );
}
