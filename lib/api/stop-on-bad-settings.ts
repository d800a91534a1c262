import { checkServerEnv } from "../env";

/** A bad setting stops `next start` at once, with the sentence that names it (instrumentation.ts). */
export function stopOnBadSettings(): void {
  try {
    checkServerEnv();
  } catch (error) {
    console.error(`gradeline: ${(error as Error).message}; not starting.`);
    process.exit(1);
  }
}
