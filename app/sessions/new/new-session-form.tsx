"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, type DragEvent, type FormEvent } from "react";
import { newIdempotencyKey } from "@/lib/client/new-idempotency-key";
import { formatFileSize, pluralize } from "../format-session";
import styles from "./new-session.module.css";

export interface AssignmentOption {
  id: string;
  title: string;
  criteria: number;
}

interface ChosenFile {
  key: string;
  file: File;
}

interface Failure {
  message: string;
  problems: string[];
  /** The files sent (or checked), to tell which problems a removal has dealt with. */
  fileNames: string[];
}

const ACCEPTED_EXTENSIONS = [".txt", ".docx", ".csv"];
const CSV_EXAMPLE = `name,text
Maria Lopez,"Schools should start later.
Teenagers need more sleep."
Sam Lee,Starting later helps everyone learn.`;

const extensionOf = (name: string) => name.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? "";
// The same name and size is the same essay chosen twice (lastModified differs between some pickers).
const fileKey = (file: File) => `${file.name}:${file.size}`;

/** A problem from the server names its file first ("maria.txt: …", "class.csv row 3: …"). */
const problemNamesFile = (problem: string, name: string) => problem.startsWith(`${name}:`) || problem.startsWith(`${name} `);

/** What can be said about a chosen file before sending it (the API drops empty files silently). */
function checkFile(file: File): string | null {
  if (!ACCEPTED_EXTENSIONS.includes(extensionOf(file.name))) {
    return `${file.name}: only .txt, .docx and .csv files can be graded; remove it or save it in one of those formats.`;
  }
  if (file.size === 0) return `${file.name}: the file is empty (0 bytes); remove it or choose the right file.`;
  return null;
}

/** The file's own problem (or the server's first about it, without its name) for its row in the list. */
function fileProblemSummary(file: File, failure: Failure | null): string | null {
  const local = checkFile(file);
  if (local) return local.slice(file.name.length + 1).trim();
  const named = failure?.problems.filter((problem) => problemNamesFile(problem, file.name)) ?? [];
  if (named.length === 0) return null;
  const first = named[0]!.slice(file.name.length).replace(/^:\s*/, "").trim();
  return named.length > 1 ? `${first} (and ${named.length - 1} more)` : first;
}

export function NewSessionForm({ assignments }: { assignments: AssignmentOption[] }) {
  const router = useRouter();
  const ids = { assignment: useId(), title: useId(), files: useId(), filesHint: useId(), problems: useId() };
  const [assignmentId, setAssignmentId] = useState(assignments.length === 1 ? assignments[0]!.id : "");
  const [title, setTitle] = useState("");
  const [files, setFiles] = useState<ChosenFile[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [dragging, setDragging] = useState(false);
  const [focusAfterRemove, setFocusAfterRemove] = useState<number | null>(null);
  // Until hydration a click would submit the form natively (a GET of this page): keep Start disabled.
  const [hydrated, setHydrated] = useState(false);
  const problemsRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const fileInputRef = useRef<HTMLInputElement>(null);
  // One Idempotency-Key per attempt to start this class: retrying after a lost answer
  // sends the same key, so the class is graded once; changing the form starts afresh.
  const attemptKey = useRef<string | null>(null);
  useEffect(() => {
    attemptKey.current = null;
  }, [assignmentId, title, files]);

  const addFiles = (list: FileList | null) => {
    // Copy now: the FileList is live, and the input is cleared before the updater runs.
    const picked = Array.from(list ?? []);
    if (picked.length === 0) return;
    setFiles((current) => {
      const seen = new Set(current.map((chosen) => chosen.key));
      const added = picked.map((file) => ({ key: fileKey(file), file })).filter((chosen) => !seen.has(chosen.key) && seen.add(chosen.key));
      return [...current, ...added];
    });
  };
  const removeFile = (key: string) => {
    setFocusAfterRemove(files.findIndex((chosen) => chosen.key === key));
    setFiles((current) => current.filter((chosen) => chosen.key !== key));
  };
  // The removed row's button is gone: keep keyboard focus in the list (the next file's button, else the file picker).
  useEffect(() => {
    if (focusAfterRemove === null) return;
    const buttons = listRef.current?.querySelectorAll("button");
    const next = buttons?.[Math.min(focusAfterRemove, buttons.length - 1)];
    (next ?? fileInputRef.current)?.focus();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- focus can move only after the removed row has left the DOM; this resets the one-shot request
    setFocusAfterRemove(null);
  }, [focusAfterRemove]);

  // Files picked before the page hydrated fired no onChange: take them from the input (once, on mount).
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- "hydrated" must flip after hydration, or the server's render would not match
    setHydrated(true);
    const input = fileInputRef.current;
    if (input?.files?.length) {
      addFiles(input.files);
      input.value = "";
    }
  }, []);

  // Move focus to the problems once they are on screen, so a keyboard or screen-reader user lands on them.
  useEffect(() => {
    if (failure) problemsRef.current?.focus();
  }, [failure]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting) return;
    const fileNames = files.map(({ file }) => file.name);
    if (!assignmentId) return setFailure({ message: "Choose the assignment these essays answer.", problems: [], fileNames });
    if (files.length === 0) return setFailure({ message: "Add the essays: .txt or .docx files, or a CSV.", problems: [], fileNames });
    const local = files.map(({ file }) => checkFile(file)).filter((problem): problem is string => problem !== null);
    if (local.length > 0) {
      return setFailure({
        message: `${pluralize(local.length, "file")} cannot be graded; nothing was started.`,
        problems: local,
        fileNames,
      });
    }

    const form = new FormData();
    form.set("assignmentId", assignmentId);
    if (title.trim()) form.set("title", title.trim());
    for (const { file } of files) form.append("files", file, file.name);

    setSubmitting(true);
    setFailure(null);
    attemptKey.current ??= newIdempotencyKey();
    try {
      const response = await fetch("/api/sessions", { method: "POST", body: form, headers: { "Idempotency-Key": attemptKey.current } });
      const body = (await response.json().catch(() => null)) as { id?: string; error?: { message?: string; problems?: string[] } } | null;
      if (response.status === 201 && body?.id) {
        attemptKey.current = null;
        router.push(`/sessions/${body.id}`);
        return; // keep the button disabled while the session page loads
      }
      setFailure({
        message: body?.error?.message ?? `The server answered ${response.status}; nothing was started. Try again.`,
        problems: body?.error?.problems ?? [],
        fileNames,
      });
    } catch {
      setFailure({
        message: "The server could not be reached; nothing was started. Check the connection and try again.",
        problems: [],
        fileNames,
      });
    }
    setSubmitting(false);
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  };

  const totalBytes = files.reduce((sum, { file }) => sum + file.size, 0);
  const chosenNames = new Set(files.map(({ file }) => file.name));
  const isResolved = (problem: string) => {
    const named = failure?.fileNames.find((name) => problemNamesFile(problem, name));
    return named !== undefined && !chosenNames.has(named);
  };

  return (
    <div className={styles.layout}>
      <form
        className={`panel ${styles.form}`}
        onSubmit={onSubmit}
        noValidate
        aria-describedby={failure ? ids.problems : undefined}
        data-testid="new-session-form"
      >
        <div className="field">
          <label htmlFor={ids.assignment}>Assignment</label>
          <select
            id={ids.assignment}
            name="assignmentId"
            value={assignmentId}
            onChange={(event) => setAssignmentId(event.target.value)}
            required
          >
            {assignments.length > 1 && (
              <option value="" disabled>
                Choose an assignment…
              </option>
            )}
            {assignments.map((assignment) => (
              <option key={assignment.id} value={assignment.id}>
                {assignment.title} ({pluralize(assignment.criteria, "criterion", "criteria")})
              </option>
            ))}
          </select>
        </div>

        <div className="field">
          <label htmlFor={ids.title}>
            Session title <span className="muted">(optional)</span>
          </label>
          <input
            id={ids.title}
            name="title"
            type="text"
            maxLength={200}
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            placeholder="e.g. Period 3, persuasive essay"
          />
        </div>

        <fieldset className={styles.files}>
          <legend>Essays</legend>
          <div
            className={styles.dropZone}
            data-dragging={dragging || undefined}
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <input
              ref={fileInputRef}
              id={ids.files}
              className={`visually-hidden ${styles.fileInput}`}
              type="file"
              name="files"
              multiple
              accept=".txt,.docx,.csv,text/plain,text/csv,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
              aria-describedby={ids.filesHint}
              onChange={(event) => {
                addFiles(event.target.files);
                event.target.value = ""; // so choosing the same file again after removing it works
              }}
            />
            <label htmlFor={ids.files} className="button">
              Choose files…
            </label>
            <span id={ids.filesHint} className="hint">
              or drop them here: one .txt or .docx per student, and/or a .csv of the class
            </span>
          </div>

          {files.length === 0 ? (
            <p className={`muted ${styles.noFiles}`}>No files chosen yet.</p>
          ) : (
            <>
              <ul ref={listRef} className={styles.fileList} aria-label="Chosen files" data-testid="chosen-files">
                {files.map(({ key, file }) => {
                  const problem = fileProblemSummary(file, failure);
                  return (
                    <li key={key} className={styles.fileItem} data-problem={problem ? true : undefined} data-testid="chosen-file">
                      <span className={styles.fileKind} aria-hidden="true">
                        {extensionOf(file.name).slice(1) || "?"}
                      </span>
                      <span className={styles.fileName}>
                        {file.name}
                        {problem && <span className={styles.fileProblem}>{problem}</span>}
                      </span>
                      <span className={`muted ${styles.fileSize}`}>{formatFileSize(file.size)}</span>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        onClick={() => removeFile(key)}
                        aria-label={`Remove ${file.name}`}
                        disabled={submitting}
                      >
                        Remove
                      </button>
                    </li>
                  );
                })}
              </ul>
              <p className={`muted ${styles.fileTotals}`}>
                {pluralize(files.length, "file")}, {formatFileSize(totalBytes)} in all
              </p>
            </>
          )}
        </fieldset>

        <div className={styles.submitRow}>
          <button type="submit" className="button button-primary" disabled={submitting || !hydrated} aria-busy={submitting || undefined}>
            {submitting ? "Starting…" : files.length > 0 ? `Start grading ${pluralize(files.length, "file")}` : "Start grading"}
          </button>
          {submitting && (
            <span role="status" className="muted">
              Uploading and checking every essay…
            </span>
          )}
        </div>
      </form>

      <aside className={styles.aside}>
        {failure && (
          <div ref={problemsRef} id={ids.problems} className="error-summary" role="alert" tabIndex={-1} data-testid="session-problems">
            <h2>Nothing was started</h2>
            <p>{failure.message}</p>
            {failure.problems.length > 0 && (
              <ul>
                {failure.problems.map((problem) => {
                  const removed = isResolved(problem);
                  return (
                    <li key={problem} className={removed ? styles.resolved : undefined}>
                      {problem}
                      {removed && <span className="visually-hidden"> (file removed)</span>}
                    </li>
                  );
                })}
              </ul>
            )}
            {files.length > 0 && <p className="muted">Your files are still chosen: fix or remove the ones listed and start again.</p>}
          </div>
        )}
        <section className={styles.help} aria-labelledby="upload-help">
          <h2 id="upload-help">How to upload a class</h2>
          <ul>
            <li>
              <strong>One file per student</strong> (.txt or .docx): the file name becomes the student&apos;s name, so{" "}
              <code>maria_lopez.docx</code> is graded as “maria lopez”.
            </li>
            <li>
              <strong>Or one CSV for the class</strong>: a header row with a name column (<code>name</code> or <code>student</code>) and a
              text column (<code>text</code> or <code>essay</code>), one row per student. Put an essay in double quotes when it holds commas
              or line breaks. Save it as UTF-8.
            </li>
            <li>Files and a CSV can be mixed. Up to 200 essays, 5 MB per file.</li>
            <li>If any essay can&apos;t be graded, nothing is started and each problem is listed here.</li>
          </ul>
          <p className={styles.exampleLabel}>Example CSV</p>
          <pre className={styles.example}>{CSV_EXAMPLE}</pre>
        </section>
      </aside>
    </div>
  );
}
