import { compareCursors, formatCursor, LOG_START, parseCursor } from './event-cursor';

describe('event cursors', () => {
  it('round-trips <tx_id>-<position>, normalising leading zeros and surrounding spaces', () => {
    expect(parseCursor('7421-118')).toEqual({ txId: '7421', position: '118' });
    expect(parseCursor(' 007421-0118 ')).toEqual({ txId: '7421', position: '118' });
    expect(formatCursor({ txId: '7421', position: '118' })).toBe('7421-118');
    expect(formatCursor(LOG_START)).toBe('0-0');
  });

  it.each([
    '',
    '7421',
    '7421-',
    '-118',
    '1-2-3',
    'a-1',
    '1.5-2',
    '+1-2',
    '1 -2',
    '123456789012345678901-1', // 21 digits
    '18446744073709551616-1', // xid8 max + 1
    '1-9223372036854775808', // bigint max + 1
  ])('refuses %j', (text) => {
    expect(parseCursor(text)).toBeNull();
  });

  it('accepts the largest xid8 and bigint', () => {
    expect(parseCursor('18446744073709551615-9223372036854775807')).toEqual({
      txId: '18446744073709551615',
      position: '9223372036854775807',
    });
  });

  it('orders by tx_id first, then position, numerically (not as text)', () => {
    const c = (text: string) => parseCursor(text)!;
    expect(compareCursors(c('9-500'), c('10-1'))).toBe(-1);
    expect(compareCursors(c('10-2'), c('10-10'))).toBe(-1);
    expect(compareCursors(c('10-10'), c('10-2'))).toBe(1);
    expect(compareCursors(c('10-10'), c('010-10'))).toBe(0);
    expect(compareCursors(LOG_START, c('1-1'))).toBe(-1);
  });
});
