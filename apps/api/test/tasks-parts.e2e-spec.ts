import { TASK_LIMITS } from '@agenthub/tasks';
import { createTask, expectProblem, getTask, patchTask, query } from '@agenthub/testing';
import { useWorld } from './world';

describe('task parts: the content a task is created with', () => {
  const w = useWorld();
  const post = (payload: Record<string, unknown>) =>
    w.t.request({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: w.owner,
      payload: { project_id: w.p1, title: 'with parts', ...payload },
    });

  it('keeps the parts as given and shows them in the task', async () => {
    const parts = [
      { text: 'Summarise the attached report', metadata: { lang: 'en' } },
      { url: 'https://example.com/report.pdf', mediaType: 'application/pdf' },
      { data: { pages: [1, 2], strict: true } },
    ];
    const task = await createTask(w.t, w.agentKey, w.p1, { parts });
    expect(task.parts).toEqual(parts);
    expect((await getTask(w.t, w.owner, task.id)).parts).toEqual(parts);
    const [row] = await query(
      w.db.url,
      `SELECT jsonb_typeof(parts) AS type FROM tasks WHERE id = $1`,
      [task.id],
    );
    expect(row).toEqual({ type: 'array' });
  });

  it('shows null when a task has none (left out or null)', async () => {
    expect((await createTask(w.t, w.owner, w.p1)).parts).toBeNull();
    expect((await createTask(w.t, w.owner, w.p1, { parts: null })).parts).toBeNull();
  });

  it('keeps the parts when the task changes', async () => {
    const task = await createTask(w.t, w.owner, w.p1, { parts: [{ text: 'first' }] });
    const res = await patchTask(w.t, w.owner, task.id, { title: 'renamed', status: 'in_progress' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'renamed', parts: [{ text: 'first' }] });
  });

  it.each([
    ['not an array', { text: 'x' }, 'parts must be an array'],
    ['a part that is not an object', [{ text: 'ok' }, 'plain text'], 'each of parts'],
    ['a part that is an array', [[{ text: 'x' }]], 'each of parts'],
    [
      'too many parts',
      Array.from({ length: TASK_LIMITS.parts + 1 }, () => ({ text: 'x' })),
      `parts must contain no more than ${TASK_LIMITS.parts} elements`,
    ],
    [
      'too much JSON',
      [{ text: 'x'.repeat(TASK_LIMITS.partsBytes) }],
      `parts must serialize to at most ${TASK_LIMITS.partsBytes} bytes of JSON`,
    ],
  ])('refuses %s with a 400 naming the field', async (_case, parts, message) => {
    const res = await post({ parts });
    expectProblem(res, 400, 'REQUEST.VALIDATION_FAILED');
    expect(JSON.stringify(res.json())).toContain(message);
  });

  it('is not a field PATCH takes', async () => {
    const task = await createTask(w.t, w.owner, w.p1);
    expectProblem(
      await patchTask(w.t, w.owner, task.id, { parts: [{ text: 'late' }] }),
      400,
      'REQUEST.VALIDATION_FAILED',
    );
  });
});
