import { parseResourceUri, resourcesChangedBy } from './mcp-resources';

const ID = '6F1C1F7E-8A8E-4C39-9A53-2A4A0D5F3C11';
const id = ID.toLowerCase();
const event = (type: string, data: unknown) => ({
  id: '1',
  type,
  project_id: 'p',
  occurred_at: '2026-01-01T00:00:00.000Z',
  data,
});

describe('resource URIs', () => {
  it('reads the three kinds, canonical with a lower-case id, each with its REST path', () => {
    expect(parseResourceUri(`agenthub://tasks/${ID}`)).toEqual({
      uri: `agenthub://tasks/${id}`,
      restPath: `/tasks/${id}`,
    });
    expect(parseResourceUri(`agenthub://agents/${id}`)?.restPath).toBe(`/agents/${id}`);
    expect(parseResourceUri(`agenthub://workflow-executions/${id}`)?.restPath).toBe(
      `/workflow-executions/${id}`,
    );
  });

  it.each([
    `agenthub://rooms/${id}`,
    `agenthub://tasks/${id}/extra`,
    'agenthub://tasks/not-a-uuid',
    'agenthub://tasks/',
    `https://tasks/${id}`,
  ])('is none of ours: %s', (uri) => {
    expect(parseResourceUri(uri)).toBeNull();
  });

  it('knows which resources an event changed: a step changes its task and its execution', () => {
    expect(resourcesChangedBy(event('task.updated', { id, workflow_execution_id: 'e1' }))).toEqual([
      `agenthub://tasks/${id}`,
      'agenthub://workflow-executions/e1',
    ]);
    expect(resourcesChangedBy(event('task.created', { id, workflow_execution_id: null }))).toEqual([
      `agenthub://tasks/${id}`,
    ]);
    expect(resourcesChangedBy(event('workflow_execution.completed', { id }))).toEqual([
      `agenthub://workflow-executions/${id}`,
    ]);
    expect(resourcesChangedBy(event('agent.updated', { id }))).toEqual([`agenthub://agents/${id}`]);
    expect(resourcesChangedBy(event('message.received', { id }))).toEqual([]);
    expect(resourcesChangedBy(event('task.deleted', null))).toEqual([]);
  });
});
