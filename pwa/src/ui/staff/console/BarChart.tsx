/** A horizontal bar chart in SVG: one row per group, two bars (e.g. 受理 and 结案), labelled. */

interface Row {
  label: string;
  a: number;
  b: number;
}

interface Props {
  title: string;
  rows: Row[];
  aLabel: string;
  bLabel: string;
  testId: string;
}

const ROW_H = 34;
const LABEL_W = 110;
const WIDTH = 360;

export function BarChart(props: Props) {
  const max = Math.max(1, ...props.rows.flatMap((r) => [r.a, r.b]));
  const scale = (n: number) => ((WIDTH - LABEL_W - 40) * n) / max;
  const height = props.rows.length * ROW_H + 24;
  return (
    <figure class="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={props.title}>
        {props.rows.map((r, i) => (
          <g key={r.label} transform={`translate(0 ${i * ROW_H})`}>
            <text x={0} y={20} class="chart-label">
              {r.label.length > 8 ? `${r.label.slice(0, 8)}…` : r.label}
            </text>
            <rect x={LABEL_W} y={4} width={scale(r.a)} height={12} class="bar-a" />
            <text x={LABEL_W + scale(r.a) + 4} y={15} class="chart-value">
              {r.a}
            </text>
            <rect x={LABEL_W} y={18} width={scale(r.b)} height={12} class="bar-b" />
            <text x={LABEL_W + scale(r.b) + 4} y={29} class="chart-value">
              {r.b}
            </text>
          </g>
        ))}
        <g transform={`translate(${LABEL_W} ${height - 10})`}>
          <rect width={10} height={10} y={-9} class="bar-a" />
          <text x={14} class="chart-value">
            {props.aLabel}
          </text>
          <rect x={90} width={10} height={10} y={-9} class="bar-b" />
          <text x={104} class="chart-value">
            {props.bLabel}
          </text>
        </g>
      </svg>
    </figure>
  );
}
