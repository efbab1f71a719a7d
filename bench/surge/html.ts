import type { SurgeReport } from "./report.ts";
import type { TimelinePoint } from "./run.ts";

/** The report as one self-contained HTML page (inline SVG charts, no scripts, no network). */

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Series {
  label: string;
  color: string;
  values: (number | null)[];
}

function lineChart(title: string, seconds: number[], series: Series[]): string {
  const width = 720;
  const height = 220;
  const pad = { left: 56, right: 12, top: 12, bottom: 28 };
  const maxX = Math.max(1, ...seconds);
  const maxY = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const x = (second: number) => pad.left + (second / maxX) * (width - pad.left - pad.right);
  const y = (value: number) => height - pad.bottom - (value / maxY) * (height - pad.top - pad.bottom);
  const lines = series
    .map((s) => {
      const points = s.values.flatMap((value, i) => (value === null ? [] : [`${x(seconds[i] ?? 0).toFixed(1)},${y(value).toFixed(1)}`]));
      return points.length === 0 ? "" : `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(" ")}"/>`;
    })
    .join("");
  const legend = series.map((s) => `<span style="color:${s.color}">&#9632; ${escape(s.label)}</span>`).join(" ");
  const axes =
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#999"/>` +
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#999"/>` +
    `<text x="${pad.left - 6}" y="${pad.top + 10}" text-anchor="end" font-size="11">${maxY}</text>` +
    `<text x="${pad.left - 6}" y="${height - pad.bottom}" text-anchor="end" font-size="11">0</text>` +
    `<text x="${width - pad.right}" y="${height - 8}" text-anchor="end" font-size="11">${maxX} s</text>`;
  return `<figure><figcaption>${escape(title)} — ${legend}</figcaption><svg role="img" aria-label="${escape(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${axes}${lines}</svg></figure>`;
}

export function reportHtml(report: SurgeReport, text: string): string {
  const timeline: TimelinePoint[] = report.timeline;
  const seconds = timeline.map((point) => point.second);
  const charts = [
    lineChart("Shoppers waiting and admitted", seconds, [
      { label: "arrived", color: "#8a8a8a", values: timeline.map((p) => p.arrived) },
      { label: "waiting", color: "#b54708", values: timeline.map((p) => p.waiting) },
      { label: "admitted", color: "#1a73e8", values: timeline.map((p) => p.admitted) },
    ]),
    lineChart("Units", seconds, [
      { label: "sold", color: "#137333", values: timeline.map((p) => p.sold) },
      { label: "held", color: "#b54708", values: timeline.map((p) => p.held) },
      { label: "available", color: "#1a73e8", values: timeline.map((p) => p.available) },
    ]),
  ].join("\n");
  const verdict = report.oversold === 0 && report.inconsistentItems.length === 0 ? "0 oversold; every item's counters add up" : `OVERSOLD ${report.oversold}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Holdfast surge ${escape(report.saleId)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;max-width:800px}pre{background:#f6f6f7;padding:12px;overflow:auto}figure{margin:16px 0}figcaption{font-weight:600;margin-bottom:4px}</style>
</head><body>
<h1>Drop rehearsal: sale ${escape(report.saleId)}</h1>
<p>${escape(report.startedAt)} · ${report.options.shoppers} shoppers · ${escape(verdict)}</p>
${charts}
<h2>Summary</h2>
<pre>${escape(text)}</pre>
</body></html>
`;
}
