import './agent-ago.css';
import { relativeTime, useSecondTick } from './agent-liveness';

/** The local time of a moment: the clock time today, the date too on another day. */
export function exactTime(iso: string, now: number): string {
  const date = new Date(iso);
  const today = new Date(now).toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

/**
 * A moment as "12 s ago" (or "in 4 min", for one ahead), moving every second, with the
 * exact local time beside it and the ISO value on hover.
 */
export function Ago({
  value,
  exact = true,
  empty = '—',
}: {
  value: string | null | undefined;
  /** Show the exact time beside the relative one. */
  exact?: boolean;
  empty?: string;
}) {
  const now = useSecondTick();
  if (!value) return <span className="muted">{empty}</span>;
  return (
    <time className="ago" dateTime={value} title={value}>
      <span className="ago-relative">{relativeTime(value, now)}</span>
      {exact && <span className="ago-exact muted">{exactTime(value, now)}</span>}
    </time>
  );
}
