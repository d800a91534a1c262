import { DomainError, type ErrorCode } from "../domain-error";

/** An uploaded document we cannot or will not read: 422 by default, 413 too large, 415 not a type we read. */
export class DocumentTextError extends DomainError {
  override name = "DocumentTextError";
  constructor(
    message: string,
    code: Extract<ErrorCode, "unprocessable" | "payload_too_large" | "unsupported_media_type"> = "unprocessable",
  ) {
    super(code, message);
  }
}
