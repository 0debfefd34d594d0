import { ADDRESSED_EVENTS_MAX, parseEventNotification } from './event-notification';

const project = '11111111-1111-4111-8111-111111111111';
const agent = '22222222-2222-4222-8222-222222222222';

describe('parseEventNotification', () => {
  it('reads the address of every event of an append', () => {
    const payload = JSON.stringify([
      ['900-41', 'message.received', project, 'agent', agent],
      ['900-42', 'task.updated', project, 'project', null],
    ]);
    expect(parseEventNotification(payload)).toEqual({
      kind: 'addressed',
      events: [
        {
          cursor: { txId: '900', position: '41' },
          type: 'message.received',
          projectId: project,
          audience: 'agent',
          agentId: agent,
        },
        {
          cursor: { txId: '900', position: '42' },
          type: 'task.updated',
          projectId: project,
          audience: 'project',
          agentId: null,
        },
      ],
    });
  });

  it('takes a bare cursor (a large append, an older process) as a cursor', () => {
    expect(parseEventNotification('900-42')).toEqual({
      kind: 'cursor',
      cursor: { txId: '900', position: '42' },
    });
  });

  it.each([
    ['not JSON', '[oops'],
    ['an empty list', '[]'],
    ['a short entry', JSON.stringify([['900-1', 'task.updated', project, 'project']])],
    ['a bad cursor', JSON.stringify([['x', 'task.updated', project, 'project', null]])],
    ['an unknown audience', JSON.stringify([['900-1', 'task.updated', project, 'everyone', null]])],
    ['a numeric agent', JSON.stringify([['900-1', 'task.updated', project, 'agent', 7]])],
    ['garbage', 'hello'],
  ])(
    'answers "no cursor" for %s, so every stream reads rather than one missing out',
    (_, payload) => {
      expect(parseEventNotification(payload)).toEqual({ kind: 'cursor', cursor: null });
    },
  );

  it('keeps a full notification well under PostgreSQL 8 000-byte payload limit', () => {
    const longest = [
      '18446744073709551615-9223372036854775807',
      'x'.repeat(64),
      project,
      'managers',
      agent,
    ];
    // PostgreSQL's json_build_array writes ", " between values.
    const payload = JSON.stringify(
      Array.from({ length: ADDRESSED_EVENTS_MAX }, () => longest),
    ).replace(/,/g, ', ');
    expect(Buffer.byteLength(payload)).toBeLessThan(8000);
  });
});
