import { statusLabel, statusTone, TONE_COLOURS } from './status';

describe('status colours', () => {
  it('gives a status the same tone wherever it appears', () => {
    expect(statusTone('completed')).toBe('success');
    expect(statusTone('failed')).toBe('danger');
    expect(statusTone('in_progress')).toBe('active');
    expect(statusTone('running')).toBe('active');
    expect(statusTone('pending')).toBe('neutral');
    expect(statusTone('cancelled')).toBe('muted');
    expect(statusTone('offline')).toBe('muted');
    expect(statusTone('online')).toBe('success');
    expect(statusTone('acknowledged')).toBe('success');
    expect(statusTone('expired')).toBe('warning');
  });

  it('falls back to neutral for a status it does not know, or none', () => {
    expect(statusTone('something_new')).toBe('neutral');
    expect(statusTone(null)).toBe('neutral');
    expect(statusTone(undefined)).toBe('neutral');
  });

  it('tells finished from unfinished work apart by colour, not only by word', () => {
    const colours = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'].map(
      (status) => TONE_COLOURS[statusTone(status)].stroke,
    );
    expect(new Set(colours).size).toBe(colours.length);
  });

  it('reads statuses as words', () => {
    expect(statusLabel('in_progress')).toBe('in progress');
    expect(statusLabel(undefined)).toBe('unknown');
  });
});
