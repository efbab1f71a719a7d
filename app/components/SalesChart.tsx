/** A small SVG chart of units sold and shoppers waiting over time (each line on its own scale). */

export interface ChartSample {
  at: number;
  sold: number;
  waiting: number;
}

interface SalesChartProps {
  samples: ChartSample[];
  width?: number;
  height?: number;
}

const PAD = { top: 12, right: 48, bottom: 24, left: 48 };
const SOLD_COLOR = "#008060";
const WAITING_COLOR = "#5c6ac4";

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** The polyline points of one series, in the chart's pixel space. */
export function linePoints(samples: ChartSample[], pick: (sample: ChartSample) => number, box: { width: number; height: number }, max: number): string {
  if (samples.length === 0) return "";
  const first = samples[0]!.at;
  const span = Math.max(1, samples[samples.length - 1]!.at - first);
  const plotWidth = box.width - PAD.left - PAD.right;
  const plotHeight = box.height - PAD.top - PAD.bottom;
  return samples
    .map((sample) => {
      const x = PAD.left + (samples.length === 1 ? plotWidth : ((sample.at - first) / span) * plotWidth);
      const y = PAD.top + plotHeight - (Math.min(pick(sample), max) / max) * plotHeight;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export function SalesChart({ samples, width = 640, height = 220 }: SalesChartProps) {
  const last = samples[samples.length - 1];
  const soldMax = niceMax(Math.max(0, ...samples.map((sample) => sample.sold)));
  const waitingMax = niceMax(Math.max(0, ...samples.map((sample) => sample.waiting)));
  const box = { width, height };
  const summary = last
    ? `${samples.length} samples from ${clock(samples[0]!.at)} to ${clock(last.at)} UTC; now ${last.sold} sold and ${last.waiting} waiting.`
    : "No samples yet: points appear every few seconds while this page is open.";
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby="sales-chart-title sales-chart-desc"
        style={{ maxWidth: width, display: "block" }}
      >
        <title id="sales-chart-title">Sold and waiting over time</title>
        <desc id="sales-chart-desc">{summary}</desc>
        <rect x={PAD.left} y={PAD.top} width={width - PAD.left - PAD.right} height={height - PAD.top - PAD.bottom} fill="#f6f6f7" />
        <text x={PAD.left - 6} y={PAD.top + 10} textAnchor="end" fontSize="11" fill={SOLD_COLOR}>
          {soldMax}
        </text>
        <text x={PAD.left - 6} y={height - PAD.bottom} textAnchor="end" fontSize="11" fill={SOLD_COLOR}>
          0
        </text>
        <text x={width - PAD.right + 6} y={PAD.top + 10} fontSize="11" fill={WAITING_COLOR}>
          {waitingMax}
        </text>
        <text x={width - PAD.right + 6} y={height - PAD.bottom} fontSize="11" fill={WAITING_COLOR}>
          0
        </text>
        {samples.length > 0 && (
          <>
            <text x={PAD.left} y={height - 6} fontSize="11" fill="#616161">
              {clock(samples[0]!.at)}
            </text>
            <text x={width - PAD.right} y={height - 6} textAnchor="end" fontSize="11" fill="#616161">
              {clock(last!.at)} UTC
            </text>
            <polyline data-series="sold" points={linePoints(samples, (sample) => sample.sold, box, soldMax)} fill="none" stroke={SOLD_COLOR} strokeWidth="2" />
            <polyline
              data-series="waiting"
              points={linePoints(samples, (sample) => sample.waiting, box, waitingMax)}
              fill="none"
              stroke={WAITING_COLOR}
              strokeWidth="2"
              strokeDasharray="6 3"
            />
          </>
        )}
      </svg>
      <figcaption style={{ fontSize: 12, color: "#616161" }}>
        <span style={{ color: SOLD_COLOR }}>━ sold (left axis)</span> &nbsp; <span style={{ color: WAITING_COLOR }}>╍ waiting (right axis)</span>
      </figcaption>
    </figure>
  );
}
