import { createGradingTasks } from "./grading/grading-tasks";
import type { Rater } from "./grading/raters/rater";
import { appRater } from "./grading/raters/app-rater";
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

let cachedTasks: TaskRegistry | undefined;

/** The tasks for this process, built once around appRater(). */
export function appTasks(): TaskRegistry {
  cachedTasks ??= createAppTasks(appRater());
  return cachedTasks;
}
