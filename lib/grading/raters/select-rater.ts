import { createLocalRater } from "./local-rater";
import { createOpenAiRater } from "./openai-rater";
import type { Rater } from "./rater";

export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";

/**
 * The OpenAI-compatible rater when OPENAI_API_KEY is set (OPENAI_MODEL, OPENAI_BASE_URL
 * point it at OpenAI, Gemini, Ollama or vLLM), else the offline local rater.
 * Create it once per process and reuse it: the client keeps its connections alive.
 */
export function selectRater(env: Record<string, string | undefined> = process.env): Rater {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) return createLocalRater();
  return createOpenAiRater({
    apiKey,
    model: env.OPENAI_MODEL?.trim() || DEFAULT_OPENAI_MODEL,
    baseURL: env.OPENAI_BASE_URL?.trim() || undefined,
  });
}
