import { Batch, WriteBehind } from './sql-writer';

describe('Batch', () => {
  it('prepares a full batch while the batch before it is still being written, and writes one batch at a time, in order', async () => {
    const events: string[] = [];
    let finishFirst!: () => void;
    const firstMayFinish = new Promise<void>((resolve) => (finishFirst = resolve));
    const batch = new Batch<number>(
      new WriteBehind(),
      2,
      async (rows) => {
        events.push(`write ${rows} starts`);
        if (rows[0] === 1) await firstMayFinish;
        events.push(`write ${rows} ends`);
      },
      (rows) => events.push(`prepare ${rows}`),
    );

    for (const row of [1, 2]) await batch.push(row);
    const pushing = (async () => {
      for (const row of [3, 4]) await batch.push(row);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    // The second batch is prepared, and waits for the first write to end.
    expect(events).toEqual(['prepare 1,2', 'write 1,2 starts', 'prepare 3,4']);

    finishFirst();
    await pushing;
    await batch.flush();
    expect(events).toEqual([
      'prepare 1,2',
      'write 1,2 starts',
      'prepare 3,4',
      'write 1,2 ends',
      'write 3,4 starts',
      'write 3,4 ends',
    ]);
  });
});
