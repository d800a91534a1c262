/**
 * The size a submission's text must keep. Its own file, importing nothing, because the
 * submit form checks the same limit in the browser (split-lines.ts reads settings).
 */
export const MAX_SUBMISSION_BYTES = 100 * 1024;
