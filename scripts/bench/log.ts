/** The queue benchmark's progress on stderr (stdout carries only the JSON result). */
export const isInteractive = Boolean(process.stderr.isTTY);
let statusShown = false;

export function log(line: string): void {
  clearStatus();
  process.stderr.write(`${line}\n`);
}

/** A redrawn status line on a terminal; one line per call otherwise (callers throttle). */
export function status(line: string): void {
  if (isInteractive) {
    process.stderr.write(`\r\x1b[2K${line}`);
    statusShown = true;
  } else {
    process.stderr.write(`${line}\n`);
  }
}

export function clearStatus(): void {
  if (statusShown) process.stderr.write("\r\x1b[2K");
  statusShown = false;
}
