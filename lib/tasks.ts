import { createGradingTasks } from "./grading/grading-tasks";
import type { Rater } from "./grading/raters/rater";
import { selectRater } from "./grading/raters/select-rater";
import { defineTask, queueJobKinds, type TaskRegistry } from "./queue/job-kinds";

/**
 * Every job kind's handler, as run by the worker script, the cron route and the
 * enqueuing request's drain. The rater comes from the environment unless given.
 */
export function createAppTasks(rater: Rater = selectRater()) {
  return {
    noop: defineTask({ ...queueJobKinds.noop, handle: () => undefined }),
    ...createGradingTasks(rater),
  } satisfies TaskRegistry;
}

let cachedRater: Rater | undefined;
let cachedTasks: TaskRegistry | undefined;

/** This process's rater, built once so its HTTP client's connections are reused. */
export function appRater(): Rater {
  cachedRater ??= selectRater();
  return cachedRater;
}

/** The tasks for this process, built once around appRater(). */
export function appTasks(): TaskRegistry {
  cachedTasks ??= createAppTasks(appRater());
  return cachedTasks;
}
