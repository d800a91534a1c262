/**
 * What the local rater can find, and how much each kind weighs. The detection is the
 * retext plugins' (see load-writing-tools.ts); everything in this file is hand-written
 * mapping from their findings to a rubric, because no library knows a teacher's rubric.
 *
 * Order matters: it is the order in which comments list issues, and ties in
 * "the most frequent issue" go to the earlier kind.
 */
export const FINDING_KINDS = ["spelling", "grammar", "readability", "wording", "passive"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface FindingKindInfo {
  /**
   * Penalty for one finding. Errors a reader trips over (spelling, a/an, "the the", run-on
   * sentences) weigh a full point. Style advice is often a matter of taste: passive voice
   * weighs half, and retext-simplify's list (it flags "immediately", "participate") a quarter.
   */
  weight: number;
  /** "The most frequent issue was spelling". */
  name: string;
  /** "3 of 40 lines had spelling issues". */
  issueNoun: string;
  /** "Spelling was clean." */
  strengthNoun: string;
  /**
   * Matched in order against criterion ids and names first, then descriptions; the first
   * keyword that hits picks the criterion. Stems ("gramma", "mechanic") catch plural and
   * adjective forms.
   */
  criterionKeywords: readonly string[];
  nextStep: string;
}

export const FINDING_KIND_INFO: Record<FindingKind, FindingKindInfo> = {
  spelling: {
    name: "spelling",
    weight: 1,
    issueNoun: "spelling issues",
    strengthNoun: "spelling",
    criterionKeywords: ["spelling", "convention", "mechanic", "punctuation", "gramma", "usage", "accuracy", "language"],
    nextStep: "proofread for spelling and apostrophes, starting with the flagged words",
  },
  grammar: {
    name: "grammar (a/an, repeated words)",
    weight: 1,
    issueNoun: "grammar slips (a/an, repeated words)",
    strengthNoun: "grammar",
    criterionKeywords: ["gramma", "usage", "convention", "mechanic", "syntax", "accuracy", "language"],
    nextStep: "read each sentence aloud to catch doubled words and a/an before vowel sounds",
  },
  readability: {
    name: "sentence length",
    weight: 1,
    issueNoun: "hard-to-read sentences",
    strengthNoun: "sentence length",
    criterionKeywords: ["syntax", "sentence", "fluency", "clarity", "readab", "organi", "structure", "cohesion", "style"],
    nextStep: "split the longest sentences so each one carries a single idea",
  },
  wording: {
    name: "wordy phrasing",
    weight: 0.25,
    issueNoun: "wordy or complex phrasings",
    strengthNoun: "word choice",
    criterionKeywords: ["vocabular", "word choice", "word", "diction", "phrase", "language", "style", "clarity"],
    nextStep: "swap wordy phrases for the plain alternatives suggested on those lines",
  },
  passive: {
    name: "passive voice",
    weight: 0.5,
    issueNoun: "passive constructions",
    strengthNoun: "active voice",
    criterionKeywords: ["voice", "style", "syntax", "sentence", "fluency", "clarity"],
    nextStep: "rewrite passive sentences so the one acting comes first",
  },
};
