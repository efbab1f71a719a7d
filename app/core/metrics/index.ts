export { CONTENT_TYPE, Counter, CounterChild, Gauge, GaugeChild, Histogram, HistogramChild, LATENCY_BUCKETS, MetricsRegistry } from "./Registry.ts";
