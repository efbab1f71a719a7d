/**
 * A latency histogram in the spirit of HdrHistogram: constant memory, log-linear buckets
 * with 128..255 sub-buckets per power of two, so any recorded value is reported within
 * 0.4 % of itself. Values are whole microseconds (1 us .. about 35 minutes).
 */

const SUB_BUCKET_BITS = 8;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS; // values below this are exact
const HALF = SUB_BUCKETS >> 1;
const MAX_MSB = 30; // 2^31 us is about 35 minutes
const SIZE = SUB_BUCKETS + (MAX_MSB - SUB_BUCKET_BITS + 1) * HALF;

export class LatencyHistogram {
  private readonly counts = new Float64Array(SIZE);
  private total = 0;
  private sum = 0;
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = 0;

  /** Records one latency given in nanoseconds (as from `process.hrtime.bigint()` differences). */
  recordNanos(nanos: number): void {
    this.recordMicros(nanos / 1_000);
  }

  recordMicros(micros: number): void {
    const value = Math.min(Math.max(1, Math.round(micros)), 2 ** (MAX_MSB + 1) - 1);
    this.counts[indexOf(value)]! += 1;
    this.total += 1;
    this.sum += value;
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < SIZE; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.sum += other.sum;
    this.minimum = Math.min(this.minimum, other.minimum);
    this.maximum = Math.max(this.maximum, other.maximum);
  }

  get count(): number {
    return this.total;
  }

  /** The value at percentile `p` (0..100) in microseconds; 0 when nothing was recorded. */
  percentileMicros(p: number): number {
    if (this.total === 0) return 0;
    if (p >= 100) return this.maximum;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(Math.max(representative(i), this.minimum), this.maximum);
    }
    return this.maximum;
  }

  percentileMs(p: number): number {
    return this.percentileMicros(p) / 1_000;
  }

  summaryMs(): { count: number; minMs: number; meanMs: number; p50Ms: number; p90Ms: number; p99Ms: number; p999Ms: number; maxMs: number } {
    return {
      count: this.total,
      minMs: this.total ? this.minimum / 1_000 : 0,
      meanMs: this.total ? this.sum / this.total / 1_000 : 0,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.maximum / 1_000,
    };
  }
}

function indexOf(value: number): number {
  if (value < SUB_BUCKETS) return value;
  const msb = 31 - Math.clz32(value);
  const shift = msb - SUB_BUCKET_BITS + 1;
  return SUB_BUCKETS + (shift - 1) * HALF + ((value >>> shift) - HALF);
}

/** The middle of the range of values that share bucket `index`. */
function representative(index: number): number {
  if (index < SUB_BUCKETS) return index;
  const shift = Math.floor((index - SUB_BUCKETS) / HALF) + 1;
  const sub = ((index - SUB_BUCKETS) % HALF) + HALF;
  const low = sub * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}
