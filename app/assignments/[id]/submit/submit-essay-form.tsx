"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { describedBy, FieldError } from "@/app/components/field-error";
import { MAX_SUBMISSION_BYTES } from "@/lib/submissions/submission-limits";
import { newIdempotencyKey } from "@/lib/client/new-idempotency-key";
import { errorMessageOf, requestJson } from "@/lib/client/request-json";

interface Problems {
  studentName?: string;
  text?: string;
  file?: string;
}

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

function checkEssay(studentName: string, text: string): Problems {
  const problems: Problems = {};
  if (!studentName.trim()) problems.studentName = "Enter the student's name.";
  else if (studentName.trim().length > 120) problems.studentName = "Keep the name under 120 characters.";
  if (!text.trim()) problems.text = "The essay is empty: paste it or upload a file.";
  else if (utf8Bytes(text) > MAX_SUBMISSION_BYTES) {
    problems.text = `The essay is too long: ${Math.ceil(utf8Bytes(text) / 1024)} KB, the limit is ${MAX_SUBMISSION_BYTES / 1024} KB.`;
  }
  return problems;
}

/** Student name and essay (pasted, or extracted from a .txt/.docx so it can be checked), then off to the live page. */
export function SubmitEssayForm({ assignmentId }: { assignmentId: string }) {
  const router = useRouter();
  const id = useId();
  const [studentName, setStudentName] = useState("");
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [uploadNote, setUploadNote] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);
  // One Idempotency-Key per attempt to submit this name and essay: a retry after a lost
  // answer (or a second click) sends the same key, so the server grades it once. Editing
  // either field makes it a new submission, with a new key.
  const attemptKey = useRef<string | null>(null);
  useEffect(() => {
    attemptKey.current = null;
  }, [studentName, text]);

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setUploading(true);
    setUploadNote(null);
    setProblems((held) => ({ ...held, file: undefined }));
    try {
      const form = new FormData();
      form.append("file", file);
      const extracted = await requestJson<{ filename: string; text: string }>("/api/documents/text", { method: "POST", body: form });
      setText(extracted.text);
      setProblems((held) => ({ ...held, text: undefined }));
      setUploadNote(`Text from ${extracted.filename} is in the box below. Check it before you submit.`);
      textRef.current?.focus();
    } catch (caught) {
      setProblems((held) => ({ ...held, file: errorMessageOf(caught) }));
    } finally {
      setUploading(false);
      event.target.value = ""; // choosing the same file again still uploads it
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setServerError(null);
    const found = checkEssay(studentName, text);
    setProblems(found);
    if (found.studentName || found.text) return;
    setSubmitting(true);
    attemptKey.current ??= newIdempotencyKey();
    try {
      const created = await requestJson<{ id: string }>("/api/submissions", {
        method: "POST",
        headers: { "Idempotency-Key": attemptKey.current },
        body: JSON.stringify({ assignmentId, studentName: studentName.trim(), text }),
      });
      attemptKey.current = null; // the next essay is a new submission
      router.push(`/submissions/${created.id}`);
    } catch (caught) {
      setServerError(errorMessageOf(caught));
      setSubmitting(false);
    }
  };

  const kb = Math.ceil(utf8Bytes(text) / 1024);
  return (
    <form className="stack" onSubmit={submit} noValidate data-testid="submit-form">
      <div className="field">
        <label htmlFor={`${id}-name`}>Student name</label>
        <input
          id={`${id}-name`}
          name="studentName"
          autoComplete="name"
          maxLength={120}
          value={studentName}
          onChange={(event) => {
            setStudentName(event.target.value);
            setProblems((held) => ({ ...held, studentName: undefined }));
          }}
          data-testid="student-name"
          {...describedBy(`${id}-name-error`, problems.studentName)}
        />
        <FieldError id={`${id}-name-error`} message={problems.studentName} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-file`}>Upload a file (optional)</label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".txt,.docx,text/plain,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
          onChange={upload}
          disabled={uploading}
          data-testid="essay-file"
          {...describedBy(`${id}-file-error`, problems.file, `${id}-file-hint`)}
        />
        <p id={`${id}-file-hint`} className="hint">
          A .txt (UTF-8) or .docx file. Its text replaces what is in the box below.
        </p>
        {uploading && (
          <p className="muted" role="status">
            Reading the file…
          </p>
        )}
        {uploadNote && (
          <p className="notice" role="status" data-testid="upload-note">
            {uploadNote}
          </p>
        )}
        <FieldError id={`${id}-file-error`} message={problems.file} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>Essay</label>
        <textarea
          id={`${id}-text`}
          ref={textRef}
          name="text"
          rows={16}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setProblems((held) => ({ ...held, text: undefined }));
          }}
          data-testid="essay-text"
          {...describedBy(`${id}-text-error`, problems.text, `${id}-text-hint`)}
        />
        <p id={`${id}-text-hint`} className="hint">
          Each line is rated on its own; long lines are split at sentence ends. {kb} KB of {MAX_SUBMISSION_BYTES / 1024} KB.
        </p>
        <FieldError id={`${id}-text-error`} message={problems.text} />
      </div>
      {serverError && (
        <p className="error-box" role="alert" data-testid="server-error">
          Could not submit: {serverError}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button-primary" disabled={submitting || uploading} data-testid="submit-essay">
          {submitting ? "Submitting…" : "Submit for grading"}
        </button>
      </div>
    </form>
  );
}
