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

const SEP = "\u0000";

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: readonly string[], n = 1): void {
    const key = labels.join(SEP);
    this.values.set(key, (this.values.get(key) ?? 0) + n);
  }

  render(): string {
    let out = header(this.name, "counter", this.help);
    for (const [key, v] of this.values) out += `${this.name}${labelText(this.labelNames, key.split(SEP))} ${formatValue(v)}\n`;
    return out;
  }
}

interface HistogramSeries {
  buckets: Float64Array;
  sum: number;
  count: number;
}

export class PromHistogram {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** Upper bounds, ascending; +Inf is implicit. */
    readonly bounds: readonly number[],
  ) {}

  observe(labels: readonly string[], value: number): void {
    const key = labels.join(SEP);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 }));
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
    for (const [key, s] of this.series) {
      const values = key.split(SEP);
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
