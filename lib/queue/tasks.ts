import { defineTask, jobKinds, type TaskRegistry } from "./job-kinds";

/** The handlers the worker script, the cron route and after() run. */
export const gradelineTasks = {
  noop: defineTask({ ...jobKinds.noop, handle: () => undefined }),
} satisfies TaskRegistry;
