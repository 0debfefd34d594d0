import {
  canCancel,
  canRetry,
  countSteps,
  currentStep,
  definitionGraphSteps,
  durationLabel,
  executionGraphSteps,
  parseContext,
  progressLabel,
  type ExecutionStep,
  type WorkflowDefinition,
} from './workflow-model';

const definition: WorkflowDefinition = {
  steps: [
    { key: 'a', title: 'Fetch' },
    { key: 'b', title: 'Parse', depends_on: ['a'] },
    { key: 'c', title: 'Count', depends_on: ['a'], on_dependency_failure: 'continue' },
    { key: 'd', title: 'Report', depends_on: ['b', 'c'] },
  ],
};
const steps: ExecutionStep[] = [
  { key: 'a', task_id: 't-a', status: 'completed' },
  { key: 'b', task_id: 't-b', status: 'failed' },
  { key: 'c', task_id: 't-c', status: 'in_progress' },
  { key: 'd', task_id: 't-d', status: 'pending' },
];

describe('the graph of an execution', () => {
  it("takes its nodes from the execution's steps and its edges from the definition's keys", () => {
    expect(executionGraphSteps(steps, definition)).toEqual([
      { key: 'a', title: 'Fetch', status: 'completed', taskId: 't-a', dependencies: [] },
      { key: 'b', title: 'Parse', status: 'failed', taskId: 't-b', dependencies: ['a'] },
      { key: 'c', title: 'Count', status: 'in_progress', taskId: 't-c', dependencies: ['a'] },
      { key: 'd', title: 'Report', status: 'pending', taskId: 't-d', dependencies: ['b', 'c'] },
    ]);
  });

  it('draws the steps without edges until the definition is there', () => {
    const graph = executionGraphSteps(steps, undefined);
    expect(graph.map((s) => [s.key, s.status, s.dependencies])).toEqual([
      ['a', 'completed', []],
      ['b', 'failed', []],
      ['c', 'in_progress', []],
      ['d', 'pending', []],
    ]);
  });

  it("draws a definition's steps without a status", () => {
    expect(definitionGraphSteps(definition)).toEqual([
      { key: 'a', title: 'Fetch', dependencies: [] },
      { key: 'b', title: 'Parse', dependencies: ['a'] },
      { key: 'c', title: 'Count', dependencies: ['a'] },
      { key: 'd', title: 'Report', dependencies: ['b', 'c'] },
    ]);
    expect(definitionGraphSteps(undefined)).toEqual([]);
  });
});

describe("an execution's progress", () => {
  it('counts steps by status and says so in words', () => {
    expect(countSteps(steps)).toEqual({
      pending: 1,
      in_progress: 1,
      completed: 1,
      failed: 1,
      cancelled: 0,
    });
    expect(progressLabel(steps)).toBe('1 of 4 completed · 1 in progress · 1 failed');
    expect(progressLabel(steps.map((s) => ({ ...s, status: 'completed' as const })))).toBe(
      '4 of 4 completed',
    );
  });

  it('names the current step by its position in step order', () => {
    expect(currentStep({ current_step: 1, steps })?.key).toBe('b');
    expect(currentStep({ current_step: null, steps })).toBeNull();
  });

  it('cancels only a running execution and retries only a failed or cancelled one', () => {
    expect([canCancel('running'), canCancel('completed'), canCancel('failed')]).toEqual([
      true,
      false,
      false,
    ]);
    expect([
      canRetry('failed'),
      canRetry('cancelled'),
      canRetry('running'),
      canRetry('completed'),
    ]).toEqual([true, true, false, false]);
  });

  it('reads durations', () => {
    const t = '2026-12-02T12:00:00Z';
    expect(durationLabel(t, '2026-12-02T12:00:04.4Z')).toBe('4 s');
    expect(durationLabel(t, '2026-12-02T12:02:05Z')).toBe('2 min 5 s');
    expect(durationLabel(t, '2026-12-02T13:03:00Z')).toBe('1 h 3 min');
    expect(durationLabel(t, null, Date.parse('2026-12-02T12:00:30Z'))).toBe('30 s');
  });
});

describe('the context of a start', () => {
  it('is none when the box is empty', () => {
    expect(parseContext('')).toEqual({ ok: true, value: undefined });
    expect(parseContext('  \n ')).toEqual({ ok: true, value: undefined });
  });

  it('is the JSON object typed', () => {
    expect(parseContext('{"url": "https://example.com", "n": 2}')).toEqual({
      ok: true,
      value: { url: 'https://example.com', n: 2 },
    });
  });

  it('says what is wrong with text that is not JSON', () => {
    const parsed = parseContext('{"url": ');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^Context \(JSON\) is not valid JSON: /);
  });

  it('refuses JSON that is not an object', () => {
    for (const [text, got] of [
      ['[1, 2]', 'an array'],
      ['"text"', 'a string'],
      ['42', 'a number'],
      ['null', 'null'],
    ]) {
      const parsed = parseContext(text);
      expect(parsed).toEqual({
        ok: false,
        message: `Context (JSON) must be a JSON object, like {"url": "https://example.com"} (got ${got}).`,
      });
    }
  });

  it('refuses a context above the 64 KiB the API takes', () => {
    const parsed = parseContext(JSON.stringify({ big: 'x'.repeat(70_000) }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/at most 65536/);
  });
});
