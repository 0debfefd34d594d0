import { Message, TaskState } from '@a2a-js/sdk';
import {
  A2A_METADATA_KEY,
  FALLBACK_TITLE,
  partsToStore,
  TaskJson,
  TITLE_LIMIT,
  titleOf,
  toA2aTask,
} from './a2a-task.mapping';

const task = (fields: Partial<TaskJson> = {}): TaskJson => ({
  id: 't-1',
  project_id: 'p-1',
  title: 'Write it',
  description: 'All of it',
  status: 'pending',
  assigned_to: 'a-1',
  assigned_to_type: 'agent',
  result: null,
  parts: null,
  version: 1,
  updated_at: '2030-01-01T00:00:00.000Z',
  ...fields,
});

const message = (json: Record<string, unknown>) =>
  Message.fromJSON({ messageId: 'm-1', role: 'ROLE_USER', ...json });

describe('A2A task mapping', () => {
  it.each([
    ['pending', TaskState.TASK_STATE_SUBMITTED],
    ['in_progress', TaskState.TASK_STATE_WORKING],
    ['completed', TaskState.TASK_STATE_COMPLETED],
    ['failed', TaskState.TASK_STATE_FAILED],
    ['cancelled', TaskState.TASK_STATE_CANCELED],
  ] as const)('maps %s to its A2A state', (status, state) => {
    expect(toA2aTask(task({ status })).status?.state).toBe(state);
  });

  it('titles a task by its first non-blank text, on one line and within the limit', () => {
    const titled = (parts: unknown[]) => titleOf(message({ parts }).parts);
    expect(titled([{ data: { a: 1 } }, { text: '  ' }, { text: ' Fix\n the  bug ' }])).toBe(
      'Fix the bug',
    );
    expect(titled([{ data: { a: 1 } }])).toBe(FALLBACK_TITLE);
    const long = titled([{ text: 'x'.repeat(TITLE_LIMIT + 10) }]);
    expect(long).toHaveLength(TITLE_LIMIT);
    expect(long.endsWith('…')).toBe(true);
  });

  it("keeps the message's ids with its parts and gives the parts back as sent", () => {
    const sent = message({
      contextId: 'ctx',
      parts: [{ text: 'hi', metadata: { lang: 'en' } }, { url: 'https://x.test/a.png' }],
    });
    const parts = partsToStore(sent);
    expect(parts[0]).toEqual({
      text: 'hi',
      metadata: { lang: 'en', [A2A_METADATA_KEY]: { message_id: 'm-1', context_id: 'ctx' } },
    });
    const a2a = toA2aTask(task({ parts }));
    expect(a2a.contextId).toBe('ctx');
    expect(Message.toJSON(a2a.history[0])).toMatchObject({
      messageId: 'm-1',
      contextId: 'ctx',
      taskId: 't-1',
      parts: [{ text: 'hi', metadata: { lang: 'en' } }, { url: 'https://x.test/a.png' }],
    });
  });

  it('a task without a context of its own is its own context; one made over REST reads as its text', () => {
    const a2a = toA2aTask(task());
    expect(a2a.contextId).toBe('t-1');
    expect(a2a.history[0].parts.map((p) => p.content)).toEqual([
      { $case: 'text', value: 'Write it\n\nAll of it' },
    ]);
    expect(
      toA2aTask(task({ parts: partsToStore(message({ parts: [{ text: 'x' }] })) })).contextId,
    ).toBe('t-1');
  });

  it('gives a completed result as an artifact (text first when it has one), nothing before', () => {
    expect(toA2aTask(task({ status: 'in_progress', result: { text: 'draft' } })).artifacts).toEqual(
      [],
    );
    const [artifact] = toA2aTask(
      task({ status: 'completed', result: { text: 'ok', n: 1 } }),
    ).artifacts;
    expect(artifact.parts.map((p) => p.content)).toEqual([
      { $case: 'text', value: 'ok' },
      { $case: 'data', value: { text: 'ok', n: 1 } },
    ]);
    expect(
      toA2aTask(task({ status: 'completed', result: { n: 1 } })).artifacts[0].parts,
    ).toHaveLength(1);
  });

  it('applies historyLength as the protocol reads it', () => {
    expect(toA2aTask(task(), 0).history).toEqual([]);
    expect(toA2aTask(task(), 5).history).toHaveLength(1);
    expect(toA2aTask(task()).history).toHaveLength(1);
  });
});
