import { describedBy, FieldError } from "@/app/components/field-error";
import { LevelFields } from "@/app/assignments/level-fields";
import {
  MAX_LEVELS,
  MIN_LEVELS,
  newLevel,
  renameCriterion,
  type CriterionDraft,
  type DraftErrors,
} from "@/lib/assignments/assignment-draft";

interface CriterionFieldsetProps {
  criterion: CriterionDraft;
  index: number;
  errors: DraftErrors;
  canRemove: boolean;
  onChange(criterion: CriterionDraft): void;
  onRemove(): void;
}

/** One rubric criterion: name, id, description and its levels. */
export function CriterionFieldset({ criterion, index, errors, canRemove, onChange, onRemove }: CriterionFieldsetProps) {
  const path = `criteria.${index}`;
  const id = `criteria-${index}`;
  const error = (field: string) => errors[`rubric.${path}.${field}`];
  const position = index + 1;
  const setLevels = (levels: CriterionDraft["levels"]) => onChange({ ...criterion, levels });
  return (
    <fieldset className="criterion-fieldset panel" data-testid="criterion-fieldset">
      <legend>
        Criterion {position}
        {criterion.name ? `: ${criterion.name}` : ""}
      </legend>
      <div className="field-row">
        <div className="field field-grow">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            maxLength={120}
            value={criterion.name}
            onChange={(event) => onChange(renameCriterion(criterion, event.target.value))}
            {...describedBy(`${id}-name-error`, error("name"))}
          />
          <FieldError id={`${id}-name-error`} message={error("name")} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-id`}>ID</label>
          <input
            id={`${id}-id`}
            maxLength={64}
            value={criterion.id}
            spellCheck={false}
            autoCapitalize="off"
            onChange={(event) => onChange({ ...criterion, id: event.target.value, idEdited: true })}
            {...describedBy(`${id}-id-error`, error("id"), `${id}-id-hint`)}
          />
          <p id={`${id}-id-hint`} className="hint">
            Lowercase letters, digits, - and _. Grades refer to it, so keep it once essays are graded.
          </p>
          <FieldError id={`${id}-id-error`} message={error("id")} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          rows={2}
          maxLength={2000}
          value={criterion.description}
          onChange={(event) => onChange({ ...criterion, description: event.target.value })}
          {...describedBy(`${id}-description-error`, error("description"))}
        />
        <FieldError id={`${id}-description-error`} message={error("description")} />
      </div>
      <div className="levels" role="group" aria-labelledby={`${id}-levels-heading`}>
        <h3 id={`${id}-levels-heading`} className="subheading">
          Levels
        </h3>
        <FieldError id={`${id}-levels-error`} message={errors[`rubric.${path}.levels`]} />
        {criterion.levels.map((level, levelIndex) => (
          <LevelFields
            key={level.key}
            level={level}
            path={`${path}.levels.${levelIndex}`}
            position={levelIndex + 1}
            criterionName={criterion.name}
            errors={errors}
            canRemove={criterion.levels.length > MIN_LEVELS}
            onChange={(patch) => setLevels(criterion.levels.map((held, at) => (at === levelIndex ? { ...held, ...patch } : held)))}
            onRemove={() => setLevels(criterion.levels.filter((_, at) => at !== levelIndex))}
          />
        ))}
        <button
          type="button"
          className="button-small"
          onClick={() => setLevels([...criterion.levels, newLevel()])}
          disabled={criterion.levels.length >= MAX_LEVELS}
          data-testid="add-level"
        >
          Add level<span className="visually-hidden"> to criterion {position}</span>
        </button>
      </div>
      <div className="actions actions-end">
        <button
          type="button"
          className="button-small button-danger"
          onClick={onRemove}
          disabled={!canRemove}
          data-testid="remove-criterion"
        >
          Remove criterion {position}
        </button>
      </div>
    </fieldset>
  );
}
