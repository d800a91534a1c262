import { parse } from "csv-parse/sync";
import { extractDocumentText, studentNameFromFilename } from "../documents/extract-text";
import { SessionInputError, type SessionStudentInput } from "./create-grading-session";

/**
 * Essays from a class upload: several .txt/.docx files (one essay each, the file name
 * as the student's name unless renamed), and/or a CSV with a header row naming a
 * student column (name/student/student_name) and a text column (text/essay).
 */
export async function readSessionUpload(files: File[]): Promise<SessionStudentInput[]> {
  const students: SessionStudentInput[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      if (!/\.(csv|txt|md|docx)$/i.test(file.name)) {
        throw new Error(`${file.name}: a class upload takes .txt or .docx essays, or a .csv of name and text.`);
      }
      if (file.name.toLowerCase().endsWith(".csv")) students.push(...readCsv(file.name, bytes));
      else
        students.push({
          studentName: studentNameFromFilename(file.name),
          text: await extractDocumentText(file.name, bytes),
          source: file.name,
        });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0)
    throw new SessionInputError(`${problems.length} uploaded file(s) could not be read; nothing was started.`, problems);
  return students;
}

function readCsv(filename: string, bytes: Uint8Array): SessionStudentInput[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new Error(`${filename} is not UTF-8 text; export the CSV as UTF-8.`);
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
    });
  } catch (error) {
    throw new Error(`${filename} is not a valid CSV: ${(error as Error).message}`);
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
