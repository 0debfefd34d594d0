import './task-lease.css';
import { relativeTime, useSecondTick } from './agent-liveness';

/** How long a task's lease still holds ("4 min 10 s left"), or that it ran out; moving. */
export function LeaseLeft({ at }: { at: string }) {
  const now = useSecondTick();
  const left = Date.parse(at) - now;
  return (
    <time
      dateTime={at}
      title={`Lease until ${new Date(at).toLocaleString()}`}
      className={left < 60_000 ? 'lease-short' : undefined}
    >
      {left > 0 ? `${relativeTime(at, now).replace(/^in /, '')} left` : 'ran out'}
    </time>
  );
}
