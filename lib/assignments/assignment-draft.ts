import { rubricSchema, type Rubric } from "@/lib/assignments/rubric";

/** A rubric form's contents: numbers stay strings while typed, so "" and "3." are allowed mid-edit. */
export interface LevelDraft {
  key: number;
  score: string;
  label: string;
  description: string;
}
export interface CriterionDraft {
  key: number;
  id: string;
  /** Once a person types an id, the name stops rewriting it. */
  idEdited: boolean;
  name: string;
  description: string;
  levels: LevelDraft[];
}
export interface AssignmentDraft {
  title: string;
  prompt: string;
  scaleMin: string;
  scaleMax: string;
  criteria: CriterionDraft[];
}
export interface AssignmentBodyInput {
  title: string;
  prompt: string;
  rubric: Rubric;
}

export const MAX_CRITERIA = 20;
export const MIN_LEVELS = 2;
export const MAX_LEVELS = 10;
export const MAX_TITLE_LENGTH = 200;
export const MAX_PROMPT_LENGTH = 5000;

// React keys only; DOM ids use positions, so the server and browser renders agree.
let lastKey = 0;
const nextKey = () => ++lastKey;

/** "Ideas & Evidence!" → "ideas-evidence", the shape rubricSchema wants for criterion ids. */
export function slugifyCriterionId(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return slug;
}

const round = (value: number) => Math.round(value * 100) / 100;

function defaultLevels(min: number, max: number): LevelDraft[] {
  const low = Number.isFinite(min) ? min : 1;
  const high = Number.isFinite(max) && max > low ? max : low + 4;
  return [
    { key: nextKey(), score: String(low), label: "Beginning", description: "" },
    { key: nextKey(), score: String(round((low + high) / 2)), label: "Developing", description: "" },
    { key: nextKey(), score: String(high), label: "Strong", description: "" },
  ];
}

export function newCriterion(draft: Pick<AssignmentDraft, "scaleMin" | "scaleMax">): CriterionDraft {
  return {
    key: nextKey(),
    id: "",
    idEdited: false,
    name: "",
    description: "",
    levels: defaultLevels(Number(draft.scaleMin), Number(draft.scaleMax)),
  };
}

export function newLevel(): LevelDraft {
  return { key: nextKey(), score: "", label: "", description: "" };
}

export function draftFromAssignment(assignment: AssignmentBodyInput | null): AssignmentDraft {
  if (!assignment) {
    const draft = { title: "", prompt: "", scaleMin: "1", scaleMax: "5", criteria: [] as CriterionDraft[] };
    return { ...draft, criteria: [newCriterion(draft)] };
  }
  const { rubric } = assignment;
  return {
    title: assignment.title,
    prompt: assignment.prompt,
    scaleMin: String(rubric.scale.min),
    scaleMax: String(rubric.scale.max),
    criteria: rubric.criteria.map((criterion) => ({
      key: nextKey(),
      id: criterion.id,
      idEdited: true,
      name: criterion.name,
      description: criterion.description,
      levels: criterion.levels.map((level) => ({
        key: nextKey(),
        score: String(level.score),
        label: level.label,
        description: level.description,
      })),
    })),
  };
}

/** A criterion's name changed: the id follows it until someone edits the id. */
export function renameCriterion(criterion: CriterionDraft, name: string): CriterionDraft {
  return { ...criterion, name, id: criterion.idEdited ? criterion.id : slugifyCriterionId(name) };
}

/** Field path → message; paths look like "title", "rubric.criteria.0.levels.1.score". */
export type DraftErrors = Record<string, string>;

const parseNumber = (value: string) => (value.trim() === "" ? Number.NaN : Number(value));

/**
 * The body for POST/PUT /api/assignments, checked by the same rubricSchema the server
 * uses, or the problems keyed by field. Root-level rubric problems (scale order,
 * duplicate ids) are keyed "rubric.scale" and "rubric.criteria".
 */
export function validateAssignmentDraft(
  draft: AssignmentDraft,
): { body: AssignmentBodyInput; errors: null } | { body: null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const numberAt = (path: string, value: string) => {
    const parsed = parseNumber(value);
    if (!Number.isFinite(parsed)) errors[path] = "Enter a number.";
    // The server rounds to the hundredths its score columns keep; a person is told instead.
    else if (Math.round(parsed * 100) / 100 !== parsed) errors[path] = "Use at most two decimal places.";
    return parsed;
  };
  const title = draft.title.trim();
  if (!title) errors.title = "Give the assignment a title.";
  else if (title.length > MAX_TITLE_LENGTH) errors.title = `Keep the title under ${MAX_TITLE_LENGTH} characters.`;
  if (draft.prompt.trim().length > MAX_PROMPT_LENGTH) errors.prompt = `Keep the prompt under ${MAX_PROMPT_LENGTH} characters.`;

  const rubric = {
    scale: { min: numberAt("rubric.scale.min", draft.scaleMin), max: numberAt("rubric.scale.max", draft.scaleMax) },
    criteria: draft.criteria.map((criterion, criterionIndex) => ({
      id: criterion.id,
      name: criterion.name,
      description: criterion.description,
      levels: criterion.levels.map((level, levelIndex) => ({
        score: numberAt(`rubric.criteria.${criterionIndex}.levels.${levelIndex}.score`, level.score),
        label: level.label,
        description: level.description,
      })),
    })),
  };
  const parsed = rubricSchema.safeParse(rubric);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      let path = ["rubric", ...issue.path.map(String)].join(".");
      if (issue.path.length === 0) path = /scale/.test(issue.message) ? "rubric.scale" : "rubric.criteria";
      const emptyId = path.endsWith(".id") && issue.path.length === 3 && !draft.criteria[Number(issue.path[1])]?.id.trim();
      const required = emptyId || (issue.code === "too_small" && issue.origin === "string" && Number(issue.minimum) === 1);
      errors[path] ??= required ? "Required." : sentence(issue.message);
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { body: null, errors };
  return { body: { title, prompt: draft.prompt.trim(), rubric: parsed.data }, errors: null };
}

const sentence = (message: string) => {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
};

const fieldNames: Record<string, string> = {
  min: "lowest score",
  max: "highest score",
  id: "ID",
  scale: "score scale",
  criteria: "criteria",
};

/** "rubric.criteria.0.levels.1.label" → "Criterion 1, level 2: label" for the error summary. */
export function describeDraftPath(path: string): string {
  const parts = path.split(".");
  const words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next = parts[i + 1];
    if (part === "rubric") continue;
    if (part === "criteria" && next !== undefined && /^\d+$/.test(next)) {
      words.push(`Criterion ${Number(next) + 1}`);
      i++;
    } else if (part === "levels" && next !== undefined && /^\d+$/.test(next)) {
      words.push(`level ${Number(next) + 1}`);
      i++;
    } else words.push(fieldNames[part] ?? part);
  }
  const text = words.join(", ").replace(/^scale, /, "") || "Rubric";
  return text.charAt(0).toUpperCase() + text.slice(1);
}
