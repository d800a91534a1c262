/** A field's problem, linked from the input with aria-describedby={id}. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}

/** Props that tie an input to its FieldError. */
export function describedBy(id: string, message: string | undefined, hintId?: string) {
  const ids = [hintId, message ? id : undefined].filter(Boolean).join(" ");
  return { "aria-invalid": message ? true : undefined, "aria-describedby": ids || undefined } as const;
}
