import { DomainError } from "../domain-error";

/**
 * An Idempotency-Key and the fingerprint of the request that carried it, stored with
 * what the request creates (supabase/migrations/20261201120100_submission_idempotency_keys.sql).
 */
export interface IdempotencyClaim {
  key: string;
  fingerprint: string;
}

/** The key was used before for a different request: answered 422, nothing is written. */
export class IdempotencyKeyReusedError extends DomainError {
  override name = "IdempotencyKeyReusedError";
  constructor(what: "submission" | "class session") {
    super(
      "unprocessable",
      `This Idempotency-Key was already used for a different ${what}. Send a new key with a new ${what}; reuse a key only to retry the very same request.`,
    );
  }
}

/** Throws unless the stored fingerprint is the claim's: same key, same request. */
export function assertSameRequest(storedFingerprint: string | null, claim: IdempotencyClaim, what: "submission" | "class session"): void {
  if (storedFingerprint !== claim.fingerprint) throw new IdempotencyKeyReusedError(what);
}
