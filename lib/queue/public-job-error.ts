/**
 * A job's stored error as a student or teacher may read it (#9). Job errors are written by
 * whatever failed: our own sentences ("the LLM provider answered 500"), but also a driver's or
 * the runtime's raw message ("connect ECONNREFUSED 10.0.3.7:5432", "password authentication
 * failed for user "grader"", a stack). The sentence stays; addresses, ports, user and database
 * names, tokens and file paths are replaced, and stacks cut. The full text stays in
 * grading_jobs.last_error for the operator.
 */
const MAX_PUBLIC_ERROR_CHARS = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const REDACTIONS: Array<[RegExp, string | ((match: string, ...groups: string[]) => string)]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi, "[address hidden]"], // URLs, with any credentials in them
  [/\bBearer\s+\S+/gi, "Bearer [hidden]"],
  [/\bsk-[\w*.-]{4,}/g, "[key hidden]"], // OpenAI-style keys, even partly masked ones
  [/\b(user|role|database|host|schema)\s+"[^"]*"/gi, (_match, noun) => `${noun} "[hidden]"`], // Postgres' wording
  [/\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\s+\S+/g, "$1 [address hidden]"],
  [/\[[0-9a-f:.]*:[0-9a-f:.]*\](:\d+)?/gi, "[address hidden]"], // [IPv6]:port
  [/\b\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?\b/g, "[address hidden]"], // IPv4[:port]
  [/\b(?:[a-z0-9-]+\.){2,}[a-z]{2,}(:\d{1,5})?\b/gi, "[address hidden]"], // db.abc.supabase.co
  [/\b[a-z0-9][a-z0-9.-]*:\d{2,5}\b/gi, "[address hidden]"], // localhost:5432
  [/(?:[A-Za-z]:)?(?:[\\/][\w.@-]+){2,}[\\/]?/g, "[path hidden]"], // /home/…/lib/x.ts
  [/\b[A-Za-z0-9_+/=-]{32,}\b/g, (match) => (UUID.test(match) ? match : "[hidden]")], // long tokens; ids stay
];

export function publicJobError(error: string): string {
  let text = error.split(/\n\s+at\s/)[0]!; // a stack's frames name files and lines
  for (const [pattern, replacement] of REDACTIONS) text = text.replace(pattern, replacement as string);
  text = text.replace(/\s+/g, " ").trim();
  if (text.length > MAX_PUBLIC_ERROR_CHARS) text = `${text.slice(0, MAX_PUBLIC_ERROR_CHARS - 1)}…`;
  return text === "" ? "The job failed; the operator can see why on /monitor." : text;
}
