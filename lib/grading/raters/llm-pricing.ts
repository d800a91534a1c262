/** USD per million tokens, as the provider's price page lists them. */
export interface ModelPricing {
  inputPerMillionUsd: number;
  outputPerMillionUsd: number;
}

// List prices (standard tier, uncached input) checked against the providers' pricing pages in 2025.
// Matched by longest prefix, so dated snapshots ("gpt-4o-mini-2024-07-18") price like their family.
export const MODEL_PRICES: Readonly<Record<string, ModelPricing>> = {
  "gpt-4o-mini": { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 },
  "gpt-4o": { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 },
  "gpt-4.1-nano": { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.4 },
  "gpt-4.1-mini": { inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6 },
  "gpt-4.1": { inputPerMillionUsd: 2, outputPerMillionUsd: 8 },
  "gemini-2.0-flash-lite": { inputPerMillionUsd: 0.075, outputPerMillionUsd: 0.3 },
  "gemini-2.0-flash": { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.4 },
  "gemini-2.5-flash": { inputPerMillionUsd: 0.3, outputPerMillionUsd: 2.5 },
};

/** Unknown models (Ollama, vLLM, a new snapshot) cost 0 rather than a guess: the monitor shows tokens either way. */
export const UNKNOWN_MODEL_PRICING: ModelPricing = { inputPerMillionUsd: 0, outputPerMillionUsd: 0 };

export function findModelPricing(model: string, prices: Readonly<Record<string, ModelPricing>> = MODEL_PRICES): ModelPricing {
  // Gemini's OpenAI-compatible endpoint also accepts "models/gemini-2.0-flash".
  const name = model.replace(/^models\//, "").toLowerCase();
  let best: string | undefined;
  for (const prefix of Object.keys(prices)) {
    if (name.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? UNKNOWN_MODEL_PRICING : prices[best]!;
}

export function estimateCostUsd(pricing: ModelPricing, promptTokens: number, completionTokens: number): number {
  return (promptTokens * pricing.inputPerMillionUsd + completionTokens * pricing.outputPerMillionUsd) / 1_000_000;
}
