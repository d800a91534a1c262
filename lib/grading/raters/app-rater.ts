import type { Rater } from "./rater";
import { selectRater } from "./select-rater";

let cachedRater: Rater | undefined;

/**
 * This process's rater, chosen from the environment once so its HTTP client's
 * connections are reused. The worker's tasks rate with it, and submitting and
 * overriding scope the phrase cache to it.
 */
export function appRater(): Rater {
  cachedRater ??= selectRater();
  return cachedRater;
}
