// A minimal Prometheus client: counters, gauges and histograms with labels, rendered in the
// text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
// Enough for GET /metrics without a dependency; label values are escaped as the format
// requires (backslash, double quote, newline).

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

export function header(name: string, type: "counter" | "gauge" | "histogram", help: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** One sample line, for families rendered straight from state (gauges read at scrape time). */
export function sample(name: string, labels: Record<string, string>, value: number): string {
  const names = Object.keys(labels);
  return `${name}${labelText(names, names.map((n) => labels[n]!))} ${formatValue(value)}\n`;
}

/**
 * Series by label values, one Map level per label. Every finished request updates several
 * series: looking each level up by a value string the gateway already holds is cheaper than
 * joining the values into a fresh key string (and hashing it) per update.
 */
class SeriesTree<S extends { labels: readonly string[] }> {
  private readonly root = new Map<string, unknown>();
  readonly all: S[] = [];

  constructor(private readonly make: (labels: readonly string[]) => S) {}

  get(labels: readonly string[]): S {
    let level = this.root;
    const last = labels.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(labels[i]!) as Map<string, unknown> | undefined;
      if (!next) level.set(labels[i]!, (next = new Map()));
      level = next;
    }
    const leafKey = last >= 0 ? labels[last]! : "";
    let series = level.get(leafKey) as S | undefined;
    if (!series) {
      series = this.make([...labels]);
      level.set(leafKey, series);
      this.all.push(series);
    }
    return series;
  }
}

export class Counter {
  private readonly series = new SeriesTree((labels) => ({ labels, value: 0 }));
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: readonly string[], n = 1): void {
    this.series.get(labels).value += n;
  }

  /** The series for these labels (created, and rendered from now on), to add to directly. */
  at(labels: readonly string[]): { value: number } {
    return this.series.get(labels);
  }

  render(): string {
    let out = header(this.name, "counter", this.help);
    for (const s of this.series.all) out += `${this.name}${labelText(this.labelNames, s.labels)} ${formatValue(s.value)}\n`;
    return out;
  }
}

export interface HistogramSeries {
  labels: readonly string[];
  buckets: Float64Array;
  sum: number;
  count: number;
}

export class PromHistogram {
  private readonly series: SeriesTree<HistogramSeries>;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** Upper bounds, ascending; +Inf is implicit. */
    readonly bounds: readonly number[],
  ) {
    this.series = new SeriesTree((labels) => ({ labels, buckets: new Float64Array(bounds.length), sum: 0, count: 0 }));
  }

  observe(labels: readonly string[], value: number): void {
    this.observeIn(this.series.get(labels), value);
  }

  /** The series for these labels (created, and rendered from now on), for observeIn(). */
  at(labels: readonly string[]): HistogramSeries {
    return this.series.get(labels);
  }

  observeIn(s: HistogramSeries, value: number): void {
    // Non-cumulative counts here; render() accumulates (one increment per observation).
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]!) {
        s.buckets[i]!++;
        break;
      }
    }
    s.sum += value;
    s.count++;
  }

  render(): string {
    let out = header(this.name, "histogram", this.help);
    for (const s of this.series.all) {
      const values = s.labels;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.buckets[i]!;
        out += `${this.name}_bucket${labelText(this.labelNames, values, ["le", formatValue(this.bounds[i]!)])} ${cumulative}\n`;
      }
      out += `${this.name}_bucket${labelText(this.labelNames, values, ["le", "+Inf"])} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(s.sum)}\n`;
      out += `${this.name}_count${labelText(this.labelNames, values)} ${s.count}\n`;
    }
    return out;
  }
}
