"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import type { ThroughputBucket } from "@/lib/monitoring/monitoring-stats-schema";
import { formatCount, formatMinutesAgo } from "./format-stats";

// Colours from globals.css's palette, both above 4.5:1 on white.
const COMPLETED_COLOUR = "#1a7f37";
const FAILED_COLOUR = "#cf222e";

function summarise(buckets: readonly ThroughputBucket[]) {
  const completed = buckets.reduce((sum, bucket) => sum + bucket.completed, 0);
  const failed = buckets.reduce((sum, bucket) => sum + bucket.failed, 0);
  const busiest = buckets.reduce<ThroughputBucket | null>(
    (best, bucket) => (bucket.completed + bucket.failed > (best ? best.completed + best.failed : 0) ? bucket : best),
    null,
  );
  return { completed, failed, busiest };
}

/**
 * Jobs finished per minute over the last hour, completed and failed stacked. The axis
 * counts minutes back from the snapshot instead of printing clock times, so the server
 * render and the browser agree whatever the viewer's time zone. The caption and the
 * table under it carry the same numbers for screen readers and for copying.
 */
export function ThroughputChart({ buckets, generatedAt }: { buckets: readonly ThroughputBucket[]; generatedAt: string }) {
  const { completed, failed, busiest } = summarise(buckets);
  const data = buckets.map((bucket) => ({ ...bucket, label: formatMinutesAgo(bucket.minute, generatedAt) }));
  // Every fifteenth minute, ending at "now".
  const axisTicks = data.filter((_, i) => (data.length - 1 - i) % 15 === 0).map((bucket) => bucket.label);
  const active = data.filter((bucket) => bucket.completed + bucket.failed > 0);
  return (
    <figure className="chart-figure">
      <figcaption>
        {completed + failed === 0
          ? "No jobs finished in the last hour."
          : `${formatCount(completed)} completed and ${formatCount(failed)} failed in the last hour` +
            (busiest
              ? `; the busiest minute (${formatMinutesAgo(busiest.minute, generatedAt)}) finished ${formatCount(busiest.completed + busiest.failed)}.`
              : ".")}
      </figcaption>
      <div className="chart-frame">
        <BarChart
          responsive
          style={{ width: "100%", height: "100%" }}
          data={data}
          margin={{ top: 8, right: 16, bottom: 0, left: -16 }}
          barCategoryGap={1}
          title="Jobs finished per minute, last hour"
        >
          <CartesianGrid vertical={false} stroke="#d0d7de" />
          <XAxis dataKey="label" ticks={axisTicks} interval={0} tick={{ fill: "#57606a", fontSize: 12 }} tickLine={false} />
          <YAxis allowDecimals={false} tick={{ fill: "#57606a", fontSize: 12 }} tickLine={false} axisLine={false} />
          <Tooltip cursor={{ fill: "rgba(11, 95, 255, 0.08)" }} />
          <Legend verticalAlign="top" height={28} />
          {/* No animation: the data changes every 5 s, and bars that regrow each time distract. */}
          <Bar dataKey="completed" name="Completed" stackId="finished" fill={COMPLETED_COLOUR} isAnimationActive={false} />
          <Bar dataKey="failed" name="Failed" stackId="finished" fill={FAILED_COLOUR} isAnimationActive={false} />
        </BarChart>
      </div>
      {active.length > 0 && (
        <details className="chart-data">
          <summary>Minutes with finished jobs, as a table</summary>
          <div className="table-scroll" role="region" aria-labelledby="throughput-caption" tabIndex={0}>
            <table className="data-table">
              <caption id="throughput-caption">Jobs finished per minute (minutes with none left out)</caption>
              <thead>
                <tr>
                  <th scope="col">Minute</th>
                  <th scope="col" className="num">
                    Completed
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                </tr>
              </thead>
              <tbody>
                {active.map((bucket) => (
                  <tr key={bucket.minute}>
                    <th scope="row">
                      <time dateTime={bucket.minute}>{bucket.label}</time>
                    </th>
                    <td className="num">{formatCount(bucket.completed)}</td>
                    <td className="num">{formatCount(bucket.failed)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
