import { parse } from "csv-parse/sync";
import { extractDocumentText, readPlainText, studentNameFromFilename } from "../documents/extract-text";
import { MAX_SESSION_STUDENTS, SessionInputError, type SessionStudentInput } from "./create-grading-session";

/** As the submission form and body schema: a name is at most 120 characters. */
export const MAX_STUDENT_NAME_CHARS = 120;
// One CSV record is a name and an essay of at most 100 KB; a bit more for quoting and other columns.
const MAX_CSV_RECORD_CHARS = 160 * 1024;

/** An uploaded file as the multipart reader hands it over. */
export interface UploadedFile {
  filename: string;
  bytes: Uint8Array;
}

/**
 * Essays from a class upload: several .txt/.docx files (one essay each, the file name
 * as the student's name unless renamed), and/or a CSV with a header row naming a
 * student column (name/student/student_name) and a text column (text/essay).
 * Every file is read; the problems of all of them are reported together.
 */
export async function readSessionUpload(files: UploadedFile[]): Promise<SessionStudentInput[]> {
  const students: SessionStudentInput[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      if (!/\.(csv|txt|md|docx)$/i.test(file.filename)) {
        throw new Error(`${file.filename}: a class upload takes .txt or .docx essays, or a .csv of name and text.`);
      }
      // A loop, not push(...rows): spreading 400,000 rows overflowed the stack (#9).
      if (file.filename.toLowerCase().endsWith(".csv")) for (const row of readCsv(file.filename, file.bytes)) students.push(row);
      else
        students.push({
          studentName: studentNameFromFilename(file.filename),
          text: await extractDocumentText(file.filename, file.bytes),
          source: file.filename,
        });
    } catch (error) {
      problems.push((error as Error).message);
    }
    // A class holds at most MAX_SESSION_STUDENTS: stop reading (and converting .docx) past it.
    if (students.length > MAX_SESSION_STUDENTS) {
      throw new SessionInputError(`A session holds at most ${MAX_SESSION_STUDENTS} essays; this upload has more.`, problems);
    }
  }
  if (problems.length > 0)
    throw new SessionInputError(`${problems.length} uploaded file(s) could not be read; nothing was started.`, problems);
  const longNames = students
    .filter((student) => student.studentName.trim().length > MAX_STUDENT_NAME_CHARS)
    .map((student) => `${student.source}: the student's name is longer than ${MAX_STUDENT_NAME_CHARS} characters.`);
  if (longNames.length > 0)
    throw new SessionInputError(`${longNames.length} student name(s) are too long; nothing was started.`, longNames);
  return students;
}

function readCsv(filename: string, bytes: Uint8Array): SessionStudentInput[] {
  // A CSV holds a whole class, so only the file's own 5 MB cap applies to its text.
  const text = readPlainText(filename, bytes, {
    advice: "Export the CSV as UTF-8 and upload it again.",
    maxChars: Infinity,
    refuseNul: false,
  });
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      // Stop after one row too many (so the count can be reported), and cap each record.
      to: MAX_SESSION_STUDENTS + 1,
      max_record_size: MAX_CSV_RECORD_CHARS,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "CSV_MAX_RECORD_SIZE") {
      throw new Error(`${filename} has a row longer than ${MAX_CSV_RECORD_CHARS / 1024} KB; an essay is at most 100 KB.`, { cause: error });
    }
    throw new Error(`${filename} is not a valid CSV: ${(error as Error).message}`, { cause: error });
  }
  if (records.length > MAX_SESSION_STUDENTS) {
    throw new Error(`${filename} has more than ${MAX_SESSION_STUDENTS} rows; a session holds at most ${MAX_SESSION_STUDENTS} essays.`);
  }
  const first = records[0] ?? {};
  const nameColumn = ["name", "student", "student_name", "student name"].find((column) => column in first);
  const textColumn = ["text", "essay", "full_text", "body"].find((column) => column in first);
  if (!nameColumn || !textColumn) {
    throw new Error(`${filename} needs a header row with a student name column (name, student) and a text column (text, essay).`);
  }
  return records.map((record, index) => ({
    studentName: record[nameColumn] ?? "",
    text: record[textColumn] ?? "",
    source: `${filename} row ${index + 2}`,
  }));
}
