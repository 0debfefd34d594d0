import { useId, useMemo, type KeyboardEvent } from 'react';
import { layoutSteps, type LaidOutEdge } from './graph-layout';
import { statusLabel, statusTone, TONE_COLOURS } from './status';
import type { GraphStep } from './workflow-model';
import './step-graph.css';

const NODE_WIDTH = 190;
const NODE_HEIGHT = 70;
/** About how many characters of a 13 px title fit on a line of a node. */
const TITLE_CHARS = 23;

/** A definition's step has no status: a plain box, not a colour of the status table. */
const NO_STATUS = { fill: '#ffffff', stroke: '#8a94a6', text: '#1f2633' };

/** The colours of a step's node: its status's tone (ui/status.ts), or a plain box. */
export function nodeColours(status: string | undefined) {
  return status ? TONE_COLOURS[statusTone(status)] : NO_STATUS;
}

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;

/**
 * A title on at most `maxLines` lines of about `perLine` characters, broken between words;
 * what does not fit ends the last line with …, and a word longer than a line is cut.
 */
export function wrapTitle(text: string, perLine: number, maxLines = 2): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  let i = 0;
  while (i < words.length && lines.length < maxLines - 1) {
    const candidate = current ? `${current} ${words[i]}` : words[i];
    if (candidate.length <= perLine) {
      current = candidate;
      i++;
    } else if (current) {
      lines.push(current);
      current = '';
    } else {
      lines.push(clip(words[i], perLine));
      i++;
    }
  }
  const rest = [current, ...words.slice(i)].filter(Boolean).join(' ');
  if (rest) lines.push(clip(rest, perLine));
  return lines;
}

function edgePath(edge: LaidOutEdge): string {
  const [first, ...rest] = edge.points;
  if (!first) return '';
  return `M${first.x},${first.y}` + rest.map((p) => ` L${p.x},${p.y}`).join('');
}

/**
 * A workflow's steps as a graph, left to right by dependency depth: one node per step (its
 * title, key and, in an execution, its status as a word and a colour), an arrow from each
 * dependency to the step that waits for it. With `onSelect`, nodes are buttons (Tab to reach
 * them, Enter or Space to choose); `selected` is drawn with a ring.
 */
export function StepGraph({
  steps,
  selected,
  onSelect,
}: {
  steps: readonly GraphStep[];
  selected?: string | null;
  onSelect?(key: string): void;
}) {
  const layout = useMemo(
    () => layoutSteps(steps, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT }),
    [steps],
  );
  const byKey = useMemo(() => new Map(steps.map((s) => [s.key, s])), [steps]);
  const arrow = `${useId()}-arrow`.replace(/:/g, '');

  const onKeyDown = (key: string) => (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect?.(key);
    }
  };

  return (
    <div className="step-graph">
      <svg
        // A group, not an image: its nodes are buttons a screen reader must reach.
        role="group"
        aria-label="Step graph"
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        // Fits its container, down to 85 % of its size (text stays readable); below that,
        // the container scrolls sideways.
        style={{ width: '100%', maxWidth: layout.width, minWidth: layout.width * 0.85 }}
        preserveAspectRatio="xMinYMin meet"
      >
        <defs>
          <marker
            id={arrow}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" fill="#6b7587" />
          </marker>
        </defs>
        <g className="step-edges">
          {layout.edges.map((edge) => (
            <path
              key={`${edge.from}->${edge.to}`}
              d={edgePath(edge)}
              data-edge={`${edge.from}->${edge.to}`}
              fill="none"
              stroke="#6b7587"
              strokeWidth={1.5}
              markerEnd={`url(#${arrow})`}
            />
          ))}
        </g>
        {layout.nodes.map((node) => {
          const step = byKey.get(node.key);
          if (!step) return null;
          const colours = nodeColours(step.status);
          const isSelected = selected === step.key;
          const title = step.title ?? step.key;
          const lines = wrapTitle(title, TITLE_CHARS);
          const name = `${title} (${step.key})${step.status ? `: ${statusLabel(step.status)}` : ''}`;
          return (
            <g
              key={step.key}
              className={`step-node${isSelected ? ' is-selected' : ''}${onSelect ? ' is-selectable' : ''}`}
              data-step-key={step.key}
              data-status={step.status}
              transform={`translate(${node.x},${node.y})`}
              {...(onSelect && {
                tabIndex: 0,
                role: 'button',
                'aria-label': name,
                'aria-pressed': isSelected,
                onClick: () => onSelect(step.key),
                onKeyDown: onKeyDown(step.key),
              })}
            >
              <title>{name}</title>
              <rect
                className="step-node-ring"
                x={-4}
                y={-4}
                width={node.width + 8}
                height={node.height + 8}
                rx={11}
                fill="none"
              />
              <rect
                className="step-node-box"
                width={node.width}
                height={node.height}
                rx={8}
                fill={colours.fill}
                stroke={colours.stroke}
                strokeWidth={step.status === 'in_progress' ? 2.5 : 1.5}
                strokeDasharray={step.status === 'cancelled' ? '5 3' : undefined}
              />
              <text
                x={12}
                y={lines.length > 1 ? 22 : 28}
                fill={colours.text}
                className="step-node-title"
              >
                {lines.map((line, i) => (
                  <tspan key={i} x={12} dy={i === 0 ? 0 : 17}>
                    {line}
                  </tspan>
                ))}
              </text>
              <text
                x={12}
                y={lines.length > 1 ? 58 : 50}
                fill={colours.text}
                className="step-node-meta"
              >
                <tspan className="step-node-key">{clip(step.key, step.status ? 14 : 24)}</tspan>
                {step.status && <tspan dx={8}>{statusLabel(step.status)}</tspan>}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
