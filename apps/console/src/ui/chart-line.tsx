import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type DotItemDotProps,
  type TooltipContentProps,
} from 'recharts';
import {
  formatBucketTime,
  formatTick,
  formatValue,
  isolatedPoint,
  timeTicks,
  type ChartRow,
} from './metric-series';

export interface ChartSeries {
  /** The row's field to draw. */
  key: string;
  /** What the legend and the tooltip call it. */
  name: string;
  colour: string;
  dashed?: boolean;
}

/** Distinct line colours, readable on white (one per agent when there are several). */
export const SERIES_COLOURS = [
  '#2f6fd6',
  '#c2621b',
  '#1f8f4e',
  '#8e44ad',
  '#c62828',
  '#00838f',
  '#6d4c41',
  '#c98a00',
  '#455a64',
  '#d81b60',
];

interface TimeLineChartProps {
  /** The figure's caption: what the chart shows. */
  caption: string;
  /** A figure for the whole range, after the caption (`91.8 % of 1,873 tasks`). */
  note?: string;
  rows: ChartRow[];
  series: ChartSeries[];
  /** The y values' unit (`s`, `ms`, `%`). */
  unit: string;
  /** The x axis: the range asked for (ms since the epoch). */
  from: number;
  to: number;
  /** A fixed y range (`[0, 100]` for a percentage); else from 0 to the data's maximum. */
  yDomain?: [number, number];
  /** Under the time in the tooltip: what the bucket's `count` counts (`tasks`). */
  countNoun?: string;
  /** Said instead of the lines when there are no points. */
  emptyText: string;
  height?: number;
  /** Renders at this width instead of the container's (tests; jsdom measures nothing). */
  fixedWidth?: number;
}

function ChartTooltip({
  active,
  payload,
  label,
  unit,
  countNoun,
}: Pick<TooltipContentProps, 'active' | 'payload' | 'label'> & {
  unit: string;
  countNoun?: string;
}) {
  if (!active || payload.length === 0) return null;
  const row = payload[0].payload as ChartRow | undefined;
  const count = row?.count;
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{formatBucketTime(Number(label))}</div>
      <ul>
        {payload
          .filter((entry) => typeof entry.value === 'number')
          .map((entry) => (
            <li key={String(entry.dataKey)}>
              <span className="swatch" style={{ background: entry.color }} aria-hidden="true" />
              {entry.name}: <strong>{formatValue(entry.value as number, unit)}</strong>
            </li>
          ))}
      </ul>
      {countNoun && typeof count === 'number' && (
        <div className="muted">
          {count} {countNoun}
        </div>
      )}
    </div>
  );
}

/**
 * A line chart over time in a `<figure className="chart">` with its caption: time ticks on
 * round local times, the unit on the y axis, a tooltip per bucket, gaps where nothing was
 * measured, and a sentence instead of lines when there is nothing at all.
 */
export function TimeLineChart({
  caption,
  note,
  rows,
  series,
  unit,
  from,
  to,
  yDomain,
  countNoun,
  emptyText,
  height = 240,
  fixedWidth,
}: TimeLineChartProps) {
  const { ticks, stepMs } = timeTicks(from, to, 6);
  const hasPoints = rows.some((row) => series.some((s) => typeof row[s.key] === 'number'));
  const dense = rows.length > 60;
  const chart = (
    <LineChart
      data={rows}
      width={fixedWidth}
      height={fixedWidth ? height : undefined}
      margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
    >
      <CartesianGrid stroke="#e6e9ee" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={[from, to]}
        ticks={ticks}
        tickFormatter={(t: number) => formatTick(t, stepMs)}
        tick={{ fontSize: 12, fill: '#5f6b7d' }}
        allowDataOverflow
      />
      <YAxis
        domain={yDomain ?? [0, 'auto']}
        tickFormatter={(v: number) => formatValue(v, unit)}
        tick={{ fontSize: 12, fill: '#5f6b7d' }}
        width={64}
        allowDecimals
      />
      {hasPoints && (
        <Tooltip
          content={(props) => (
            <ChartTooltip
              active={props.active}
              payload={props.payload}
              label={props.label}
              unit={unit}
              countNoun={countNoun}
            />
          )}
        />
      )}
      {series.length > 1 && <Legend wrapperStyle={{ fontSize: 13 }} />}
      {series.map((s) => (
        <Line
          key={s.key}
          dataKey={s.key}
          name={s.name}
          stroke={s.colour}
          strokeWidth={2}
          strokeDasharray={s.dashed ? '6 3' : undefined}
          dot={
            dense
              ? (p: DotItemDotProps) =>
                  isolatedPoint(rows, p.index, s.key) ? (
                    <circle
                      key={`${s.key}-${p.index}`}
                      cx={p.cx}
                      cy={p.cy}
                      r={2.5}
                      fill={s.colour}
                    />
                  ) : null
              : { r: 2.5 }
          }
          activeDot={{ r: 4 }}
          isAnimationActive={false}
          connectNulls={false}
          type="linear"
        />
      ))}
    </LineChart>
  );
  return (
    <figure className="chart" data-empty={hasPoints ? undefined : 'true'}>
      <figcaption>
        {caption}
        {note && <span className="chart-note"> · {note}</span>}
      </figcaption>
      <div className="chart-body" style={{ height }}>
        {fixedWidth ? (
          chart
        ) : (
          <ResponsiveContainer
            width="100%"
            height="100%"
            minWidth={0}
            initialDimension={{ width: 600, height }}
          >
            {chart}
          </ResponsiveContainer>
        )}
        {!hasPoints && <p className="chart-empty">{emptyText}</p>}
      </div>
    </figure>
  );
}
