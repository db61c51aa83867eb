// Charts drawn on the server as inline SVG: no script, no library, readable in both themes
// (colours come from CSS variables through `currentColor` and classes).

export interface SeriesPoint {
  /** Bucket start, epoch ms. */
  at: number;
  value: number;
  /** Part of `value` drawn in the error colour (e.g. failed requests). */
  errors?: number;
}

/** A filled line over evenly spaced buckets, with an error overlay; each bucket has a hover title. */
export function Sparkline({ points, width = 600, height = 64, label, unit = "requests" }: { points: SeriesPoint[]; width?: number; height?: number; label: string; unit?: string }) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const n = points.length;
  const step = n > 1 ? width / (n - 1) : width;
  const y = (v: number) => (height - 2 - (v / max) * (height - 6)).toFixed(1);
  const x = (i: number) => (n > 1 ? i * step : width / 2).toFixed(1);
  const line = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i)},${y(p.value)}`).join(" ");
  const area = n ? `${line} L${x(n - 1)},${height} L${x(0)},${height} Z` : "";
  const barW = Math.max(1, width / Math.max(n, 1) - 1);
  const total = points.reduce((s, p) => s + p.value, 0);
  return (
    <svg class="sparkline" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${label}: ${total} ${unit}`}>
      <title safe>{`${label}: ${total} ${unit}`}</title>
      <path class="spark-area" d={area} />
      <path class="spark-line" d={line} fill="none" vector-effect="non-scaling-stroke" />
      {points.map((p, i) =>
        p.errors ? (
          <rect class="spark-error" x={(Number(x(i)) - barW / 2).toFixed(1)} y={y(p.errors)} width={barW.toFixed(1)} height={(height - Number(y(p.errors))).toFixed(1)} />
        ) : (
          ""
        ),
      )}
      {points.map((p, i) => (
        <rect class="spark-hit" x={(Number(x(i)) - step / 2).toFixed(1)} y="0" width={step.toFixed(1)} height={String(height)}>
          <title safe>{`${new Date(p.at).toTimeString().slice(0, 5)} · ${p.value} ${unit}${p.errors ? ` · ${p.errors} failed` : ""}`}</title>
        </rect>
      ))}
    </svg>
  );
}

export interface BarItem {
  label: string;
  value: number;
  hint?: string;
}

/** Horizontal bars (share of a total), e.g. requests per provider. */
export function BarList({ items, unit = "" }: { items: BarItem[]; unit?: string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ul class="barlist">
      {items.map((i) => (
        <li>
          <span class="bar-label" safe>
            {i.label}
          </span>
          <svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
            <rect x="0" y="0" height="8" width={((i.value / max) * 100).toFixed(1)} />
          </svg>
          <span class="bar-value" safe>
            {`${i.value.toLocaleString("en-US")}${unit}`}
          </span>
        </li>
      ))}
    </ul>
  );
}
