import { createLocalRater } from "./local-rater";
import { createOpenAiRater } from "./openai-rater";
import { raterEnv } from "../../env";
import type { Rater } from "./rater";

/**
 * The OpenAI-compatible rater when OPENAI_API_KEY is set (OPENAI_MODEL, OPENAI_BASE_URL
 * point it at OpenAI, Gemini, Ollama or vLLM), else the offline local rater.
 * Create it once per process and reuse it: the client keeps its connections alive.
 */
export function selectRater(env: Record<string, string | undefined> = process.env): Rater {
  const config = raterEnv(env);
  if (!config.OPENAI_API_KEY) return createLocalRater();
  return createOpenAiRater({ apiKey: config.OPENAI_API_KEY, model: config.OPENAI_MODEL, baseURL: config.OPENAI_BASE_URL });
}
