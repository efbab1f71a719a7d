/**
 * A small Prometheus registry (text exposition format 0.0.4) with no dependency: counters,
 * gauges and histograms with labels, and collectors that fill gauges at scrape time (queue
 * depths, breaker states, room counters). The hot path holds a labelled child once and then
 * only adds to numbers: `inc()` and `observe()` allocate nothing.
 */

type Collector = () => Promise<void> | void;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  render(lines: string[]): void;
}

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label values escaped as the format asks: backslash, double quote and line feed. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? "")}"`);
  if (extra) parts.push(extra);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return Number.isNaN(value) ? "NaN" : String(value);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

abstract class LabelledFamily<Child> implements Family {
  abstract readonly type: "counter" | "gauge" | "histogram";
  protected readonly children = new Map<string, { values: string[]; child: Child }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`metric name ${name} is not valid`);
    for (const label of labelNames) if (!LABEL.test(label) || label === "le") throw new Error(`label ${label} of ${name} is not valid`);
  }

  /** The child for these label values, in `labelNames` order; keep it where the hot path can reach it. */
  labels(...values: string[]): Child {
    if (values.length !== this.labelNames.length) throw new Error(`${this.name} takes ${this.labelNames.length} label values`);
    const key = values.join("\u0000");
    let entry = this.children.get(key);
    if (entry === undefined) {
      entry = { values, child: this.create() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Forgets every child (scrape-time gauges: sales that ended must not linger). */
  reset(): void {
    this.children.clear();
  }

  protected abstract create(): Child;
  abstract render(lines: string[]): void;
}

export class CounterChild {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class Counter extends LabelledFamily<CounterChild> {
  readonly type = "counter" as const;
  protected create(): CounterChild {
    return new CounterChild();
  }
  render(lines: string[]): void {
    for (const { values, child } of this.children.values()) lines.push(`${this.name}${labelText(this.labelNames, values)} ${formatNumber(child.value)}`);
  }
}

export class GaugeChild {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
}

export class Gauge extends LabelledFamily<GaugeChild> {
  readonly type = "gauge" as const;
  protected create(): GaugeChild {
    return new GaugeChild();
  }
  render(lines: string[]): void {
    for (const { values, child } of this.children.values()) lines.push(`${this.name}${labelText(this.labelNames, values)} ${formatNumber(child.value)}`);
  }
}

export class HistogramChild {
  /** Per bucket (not cumulative; summed when rendered), plus the +Inf bucket at the end. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.sum += value;
    this.count += 1;
  }
}

export class Histogram extends LabelledFamily<HistogramChild> {
  readonly type = "histogram" as const;
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
    if (bounds.length === 0 || bounds.some((bound, i) => i > 0 && bound <= (bounds[i - 1] as number))) {
      throw new Error(`buckets of ${name} must be increasing`);
    }
  }
  protected create(): HistogramChild {
    return new HistogramChild(this.bounds);
  }
  render(lines: string[]): void {
    for (const { values, child } of this.children.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += child.counts[i] ?? 0;
        const le = i < this.bounds.length ? formatNumber(this.bounds[i] as number) : "+Inf";
        lines.push(`${this.name}_bucket${labelText(this.labelNames, values, `le="${le}"`)} ${cumulative}`);
      }
      lines.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatNumber(child.sum)}`);
      lines.push(`${this.name}_count${labelText(this.labelNames, values)} ${child.count}`);
    }
  }
}

/** Latency buckets in seconds, from 0.5 ms (a status poll) to 10 s (a platform call). */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: Collector[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], bounds: readonly number[] = LATENCY_BUCKETS): Histogram {
    return this.register(new Histogram(name, help, labelNames, bounds));
  }

  /** Runs before every scrape; a collector that fails is logged by the caller and the rest still render. */
  collect(collector: Collector): void {
    this.collectors.push(collector);
  }

  /** The exposition text. Collectors run first, concurrently; their failures are returned, not thrown. */
  async render(): Promise<{ text: string; failures: unknown[] }> {
    const settled = await Promise.allSettled(this.collectors.map(async (collector) => collector()));
    const failures = settled.filter((result): result is PromiseRejectedResult => result.status === "rejected").map((result) => result.reason as unknown);
    const lines: string[] = [];
    for (const family of this.families.values()) {
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      family.render(lines);
    }
    return { text: `${lines.join("\n")}\n`, failures };
  }

  private register<T extends Family>(family: T): T {
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} is registered twice`);
    this.families.set(family.name, family);
    return family;
  }
}
