import { RequestValidationError } from '@agenthub/errors';
import { resolveSummaryRange } from './metrics.service';

const NOW = Date.parse('2026-12-03T10:30:00Z');

function refusal(fn: () => unknown): Record<string, string[]> {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RequestValidationError);
    return (error as RequestValidationError).errors ?? {};
  }
  throw new Error('expected a refusal');
}

describe('resolveSummaryRange', () => {
  it('defaults to the 24 hours before now', () => {
    expect(resolveSummaryRange({ bucket: '1h' }, NOW)).toEqual({
      from: new Date('2026-12-02T10:30:00Z'),
      to: new Date('2026-12-03T10:30:00Z'),
      bucket: '1h',
      bucketSeconds: 3600,
    });
  });

  it('takes the 24 hours before a given `to`, and keeps a given `from`', () => {
    expect(resolveSummaryRange({ to: '2026-01-02T00:00:00Z', bucket: '1d' }, NOW).from).toEqual(
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(
      resolveSummaryRange({ from: '2026-12-03T09:00:00+01:00', bucket: '5m' }, NOW),
    ).toMatchObject({
      from: new Date('2026-12-03T08:00:00Z'),
      to: new Date(NOW),
      bucketSeconds: 300,
    });
  });

  it('refuses a `from` after the default `to` (now)', () => {
    expect(
      refusal(() => resolveSummaryRange({ from: '2026-12-03T11:00:00Z', bucket: '1h' }, NOW)),
    ).toEqual({
      from: ['from must not be after to (default: now)'],
    });
  });

  it('counts the buckets the database bins the range into, and refuses more than 10 000', () => {
    // 10 000 whole minutes on minute boundaries: exactly the cap.
    const from = '2026-12-01T00:00:00Z';
    const to = new Date(Date.parse(from) + 10_000 * 60_000).toISOString();
    expect(resolveSummaryRange({ from, to, bucket: '1m' }, NOW).bucketSeconds).toBe(60);
    // The same length shifted by 30 s touches one bucket more.
    const shifted = (iso: string) => new Date(Date.parse(iso) + 30_000).toISOString();
    expect(
      refusal(() =>
        resolveSummaryRange({ from: shifted(from), to: shifted(to), bucket: '1m' }, NOW),
      ).bucket[0],
    ).toMatch(/spans 10001 buckets of 1m; at most 10000/);
    // 30 days of hours is far below.
    expect(() =>
      resolveSummaryRange({ from: '2026-11-03T10:30:00Z', bucket: '1h' }, NOW),
    ).not.toThrow();
  });

  it('accepts an empty range', () => {
    const at = '2026-12-03T10:00:00Z';
    expect(resolveSummaryRange({ from: at, to: at, bucket: '1h' }, NOW)).toMatchObject({
      from: new Date(at),
      to: new Date(at),
    });
  });
});
