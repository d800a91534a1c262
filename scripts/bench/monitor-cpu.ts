import type { Sql } from "../../lib/db/sql";
import type { BenchRun } from "./bench-run";
import type { WorkerProcess } from "./children";
import { startCpuMonitor } from "./cpu";
import { log } from "./log";

/** The processes whose CPU is the benchmark's: this one, its live workers, and their Postgres backends (when local). */
function benchPids(sql: Sql, workers: readonly WorkerProcess[]): () => Promise<number[]> {
  return async () => {
    const backends = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`;
    return [process.pid, ...workers.filter((worker) => !worker.hasExited).map((worker) => worker.pid), ...backends.map((row) => row.pid)];
  };
}

/** Measures machine CPU over a phase; the returned function logs it, warning when something else was busy. */
export async function monitorCpu({ sql, serverIsLocal }: BenchRun, workers: readonly WorkerProcess[]): Promise<() => Promise<void>> {
  if (!serverIsLocal) return async () => {};
  const finish = await startCpuMonitor(benchPids(sql, workers));
  return async () => {
    const report = await finish(benchPids(sql, workers));
    if (!report) return;
    const other = Math.max(0, report.busyCores - report.oursCores);
    log(
      `  cpu: ${report.busyCores.toFixed(2)} of ${report.cores} cores busy; this benchmark (its processes and backends) ${report.oursCores.toFixed(2)}, everything else ${other.toFixed(2)}` +
        (other > 0.25 ? "  <- other load on the machine: this number is disturbed" : ""),
    );
  };
}
