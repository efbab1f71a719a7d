import { describe, expect, it } from "vitest";

import { MetricsRegistry } from "../../app/core/metrics/index.ts";

describe("MetricsRegistry (Prometheus text format 0.0.4)", () => {
  it("renders HELP, TYPE and samples, escaping label values", async () => {
    const registry = new MetricsRegistry();
    registry.counter("t_requests_total", "Requests.\nSecond line", ["route"]).labels('/a"b\\c\nd').inc(3);
    registry.gauge("t_depth", "Depth.").labels().set(-2.5);
    const { text } = await registry.render();
    expect(text).toBe(
      [
        "# HELP t_requests_total Requests.\\nSecond line",
        "# TYPE t_requests_total counter",
        't_requests_total{route="/a\\"b\\\\c\\nd"} 3',
        "# HELP t_depth Depth.",
        "# TYPE t_depth gauge",
        "t_depth -2.5",
        "",
      ].join("\n"),
    );
  });

  it("histograms: cumulative buckets with le, +Inf, _sum and _count", async () => {
    const registry = new MetricsRegistry();
    const child = registry.histogram("t_seconds", "Latency.", ["route"], [0.1, 1]).labels("/x");
    for (const value of [0.05, 0.1, 0.5, 3]) child.observe(value);
    const { text } = await registry.render();
    expect(text).toContain('t_seconds_bucket{route="/x",le="0.1"} 2\n');
    expect(text).toContain('t_seconds_bucket{route="/x",le="1"} 3\n');
    expect(text).toContain('t_seconds_bucket{route="/x",le="+Inf"} 4\n');
    expect(text).toContain('t_seconds_sum{route="/x"} 3.65\n');
    expect(text).toContain('t_seconds_count{route="/x"} 4\n');
  });

  it("runs collectors at scrape time and reports their failures without failing the scrape", async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge("t_live", "Live.", ["sale"]);
    let calls = 0;
    registry.collect(() => {
      calls += 1;
      gauge.reset();
      gauge.labels(`s${calls}`).set(calls);
    });
    registry.collect(() => {
      throw new Error("redis down");
    });
    await registry.render();
    const second = await registry.render();
    expect(second.text).toContain('t_live{sale="s2"} 2');
    expect(second.text).not.toContain('sale="s1"');
    expect(second.failures).toHaveLength(1);
  });

  it("refuses invalid names, a reserved label, wrong label counts and a name registered twice", () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter("bad-name", "x")).toThrow();
    expect(() => registry.histogram("t_h", "x", ["le"])).toThrow();
    registry.counter("t_once", "x", ["a"]);
    expect(() => registry.counter("t_once", "x")).toThrow();
    expect(() => registry.counter("t_two", "x", ["a", "b"]).labels("only-one")).toThrow();
  });
});
