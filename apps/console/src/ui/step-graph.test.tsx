import { fireEvent, render, screen } from '@testing-library/react';
import { vi } from 'vitest';
import { StepGraph, wrapTitle } from './step-graph';
import { statusTone, TONE_COLOURS } from './status';
import type { GraphStep } from './workflow-model';

const steps: GraphStep[] = [
  { key: 'fetch', title: 'Fetch the pages', status: 'completed', dependencies: [] },
  { key: 'parse', title: 'Parse', status: 'in_progress', dependencies: ['fetch'] },
  { key: 'count', title: 'Count', status: 'failed', dependencies: ['fetch'] },
  { key: 'report', title: 'Report', status: 'cancelled', dependencies: ['parse', 'count'] },
  { key: 'notify', title: 'Notify', status: 'pending', dependencies: ['report'] },
];

const graph = () => screen.getByRole('group', { name: 'Step graph' });
const nodeOf = (key: string) => graph().querySelector<SVGGElement>(`g[data-step-key="${key}"]`);
const boxOf = (key: string) => nodeOf(key)?.querySelector('rect.step-node-box');

describe('the step graph', () => {
  it('draws one node per step with its status, coloured by the status table', () => {
    render(<StepGraph steps={steps} onSelect={vi.fn()} />);
    expect(graph().tagName.toLowerCase()).toBe('svg');
    expect(graph().querySelectorAll('g[data-step-key]')).toHaveLength(steps.length);
    for (const step of steps) {
      expect(nodeOf(step.key)?.getAttribute('data-status')).toBe(step.status);
      const tone = TONE_COLOURS[statusTone(step.status)];
      expect(boxOf(step.key)?.getAttribute('fill')).toBe(tone.fill);
      expect(boxOf(step.key)?.getAttribute('stroke')).toBe(tone.stroke);
    }
    // the word too, not only the colour
    expect(nodeOf('parse')?.textContent).toContain('in progress');
  });

  it('draws an arrow from each dependency to the step that waits for it', () => {
    render(<StepGraph steps={steps} />);
    const edges = [...graph().querySelectorAll('path[data-edge]')].map((p) =>
      p.getAttribute('data-edge'),
    );
    expect(edges.sort()).toEqual(
      ['fetch->parse', 'fetch->count', 'parse->report', 'count->report', 'report->notify'].sort(),
    );
    for (const path of graph().querySelectorAll('path[data-edge]')) {
      expect(path.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
      expect(path.getAttribute('marker-end')).toMatch(/^url\(#.+\)$/);
    }
  });

  it('lets a node be chosen from the keyboard', () => {
    const onSelect = vi.fn();
    render(<StepGraph steps={steps} onSelect={onSelect} />);
    const count = screen.getByRole('button', { name: 'Count (count): failed' });
    expect(count.getAttribute('tabindex')).toBe('0');
    count.focus();
    expect(document.activeElement).toBe(count);
    fireEvent.keyDown(count, { key: 'Enter' });
    expect(onSelect).toHaveBeenCalledWith('count');
    fireEvent.keyDown(screen.getByRole('button', { name: /^Report/ }), { key: ' ' });
    expect(onSelect).toHaveBeenLastCalledWith('report');
    fireEvent.keyDown(count, { key: 'a' });
    expect(onSelect).toHaveBeenCalledTimes(2);
  });

  it('lets a node be chosen with a click, and marks the chosen one', () => {
    const onSelect = vi.fn();
    const { rerender } = render(<StepGraph steps={steps} onSelect={onSelect} />);
    fireEvent.click(nodeOf('parse') as Element);
    expect(onSelect).toHaveBeenCalledWith('parse');
    rerender(<StepGraph steps={steps} onSelect={onSelect} selected="parse" />);
    expect(nodeOf('parse')?.getAttribute('aria-pressed')).toBe('true');
    expect(nodeOf('fetch')?.getAttribute('aria-pressed')).toBe('false');
  });

  it("draws a definition's steps without a status as plain boxes", () => {
    render(
      <StepGraph
        steps={[
          { key: 'a', title: 'A', dependencies: [] },
          { key: 'b', title: 'B', dependencies: ['a'] },
        ]}
      />,
    );
    expect(nodeOf('a')?.hasAttribute('data-status')).toBe(false);
    expect(boxOf('a')?.getAttribute('fill')).toBe('#ffffff');
    // without onSelect, nodes are not buttons
    expect(screen.queryAllByRole('button')).toHaveLength(0);
  });

  it('sizes the drawing by its layout', () => {
    render(<StepGraph steps={steps} />);
    const [, , w, h] = (graph().getAttribute('viewBox') ?? '').split(' ').map(Number);
    expect(w).toBeGreaterThan(3 * 190);
    expect(h).toBeGreaterThan(2 * 70);
  });
});

describe("a node's title", () => {
  it('stays on one line when it fits', () => {
    expect(wrapTitle("Fetch the site's pages", 23)).toEqual(["Fetch the site's pages"]);
  });

  it('breaks between words onto a second line', () => {
    expect(wrapTitle('Package for distribution', 23)).toEqual(['Package for', 'distribution']);
  });

  it('ends with … what does not fit on its lines', () => {
    expect(wrapTitle('Merge the two exports by customer id and region', 23)).toEqual([
      'Merge the two exports',
      'by customer id and reg…',
    ]);
    expect(wrapTitle('Parse headings and links', 10, 1)).toEqual(['Parse hea…']);
  });

  it('cuts a word longer than a line', () => {
    expect(wrapTitle('Supercalifragilisticexpialidocious run', 10)).toEqual(['Supercali…', 'run']);
  });
});
