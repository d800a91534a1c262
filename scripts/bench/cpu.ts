/**
 * How busy the machine was during a benchmark phase, and how much of that was not the
 * benchmark: on a shared machine (other test runs, builds, other databases on the same
 * Postgres) a slow number is only meaningful next to this. Linux only (/proc); elsewhere
 * it reports nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

const supported = existsSync("/proc/stat");

function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0; // gone (or not ours to read)
  }
}

export interface CpuReport {
  /** Cores' worth of CPU in use on the machine over the phase (0..cores). */
  busyCores: number;
  /** Of which the listed processes (the benchmark, its workers, their Postgres backends). */
  oursCores: number;
  cores: number;
}

/** Starts measuring; call the result with the pids that count as the benchmark's (read at the end, while alive). */
export function startCpuMonitor(
  initialPids: () => Promise<number[]> | number[],
): Promise<(pids: () => Promise<number[]> | number[]) => Promise<CpuReport | null>> {
  return (async () => {
    if (!supported) return async () => null;
    const before = machineTicks();
    const startTicks = new Map<number, number>();
    for (const pid of await initialPids()) startTicks.set(pid, processTicks(pid));
    const startedAt = performance.now();
    return async (pids) => {
      const after = machineTicks();
      const elapsedTicks = after.total - before.total;
      const cores = availableParallelism();
      if (elapsedTicks <= 0 || performance.now() - startedAt < 100) return null;
      let ours = 0;
      for (const pid of new Set(await pids())) ours += processTicks(pid) - (startTicks.get(pid) ?? 0);
      return {
        busyCores: ((after.busy - before.busy) / elapsedTicks) * cores,
        oursCores: (ours / elapsedTicks) * cores,
        cores,
      };
    };
  })();
}
