import type { components } from '@agenthub/client';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { everyValue } from './every-value';

export type AgentResponse = components['schemas']['AgentResponseDto'];
export type AgentStatus = AgentResponse['status'];

/**
 * An agent as the API answers it; `heartbeat_expires_at` is when it reads as offline unless
 * it sends another heartbeat (null when it never sent one).
 */
export type Agent = AgentResponse;

/** Every agent status, in the order the fleet's summary shows them. */
export const AGENT_STATUSES = everyValue<AgentStatus>()([
  'online',
  'idle',
  'active',
  'busy',
  'error',
  'offline',
]);

/** When the agent's heartbeat runs out (ms since the epoch), or null when it cannot. */
export function heartbeatExpiry(agent: Agent): number | null {
  if (!agent.heartbeat_expires_at) return null;
  const at = Date.parse(agent.heartbeat_expires_at);
  return Number.isNaN(at) ? null : at;
}

/**
 * The status the agent reads as at `now`: `offline` once its heartbeat has run out, as the
 * API reads it (whatever status it last reported, `error` included); otherwise the status the
 * API answered. The API sends no event when a heartbeat runs out, so the console works this
 * out itself.
 */
export function effectiveStatus(agent: Agent, now: number): AgentStatus {
  const expiry = heartbeatExpiry(agent);
  if (expiry !== null && now >= expiry) return 'offline';
  return agent.status;
}

/** How many agents read as each status at `now` (every status present, 0 when none). */
export function countByStatus(agents: readonly Agent[], now: number): Record<AgentStatus, number> {
  const counts = Object.fromEntries(AGENT_STATUSES.map((s) => [s, 0])) as Record<
    AgentStatus,
    number
  >;
  for (const agent of agents) counts[effectiveStatus(agent, now)] += 1;
  return counts;
}

/** How long before an expiry the list is read again, so a fresh heartbeat arrives in time. */
export const REFRESH_LEAD_MS = 3_000;
/** setTimeout's longest wait. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The next moment the fleet must be looked at again after `now`: a re-read of the list just
 * before a heartbeat runs out (an agent that keeps sending heartbeats changes no status, so
 * no event brings its new expiry), and the expiry itself, when a status turns offline.
 */
export function nextWakeUp(
  expiries: readonly (number | null)[],
  now: number,
  leadMs = REFRESH_LEAD_MS,
): number | null {
  let best: number | null = null;
  for (const expiry of expiries) {
    if (expiry === null) continue;
    for (const at of [expiry - leadMs, expiry]) {
      if (at > now && (best === null || at < best)) best = at;
    }
  }
  return best;
}

/**
 * The clock the fleet's statuses are read at: re-renders when the soonest heartbeat runs out
 * (a timer set to that moment, not a poll) and asks for a re-read (`onRefresh`) just before
 * it and at it. Returns the time (ms) to read statuses at.
 */
export function useLivenessClock(
  agents: readonly Agent[] | undefined,
  onRefresh: () => void,
  leadMs = REFRESH_LEAD_MS,
): number {
  const [now, setNow] = useState(() => Date.now());
  // Effects compare dependencies by identity: the expiries as one string change only when
  // a heartbeat does.
  const expiries = (agents ?? [])
    .map((a) => (heartbeatExpiry(a) === null ? '' : a.heartbeat_expires_at))
    .join(',');
  useEffect(() => {
    const list = expiries.split(',').map((at) => (at ? Date.parse(at) : null));
    // From the clock's last reading: a moment already passed (new data with an expiry
    // behind us) wakes at once and reads the clock again.
    const wake = nextWakeUp(list, now, leadMs);
    if (!wake) return;
    const timer = setTimeout(
      () => {
        const at = Date.now();
        setNow(at);
        // A catch-up (the moment was long past when the timer was set) needs no re-read.
        if (at - wake < 1_000) onRefresh();
      },
      Math.min(MAX_TIMEOUT_MS, Math.max(0, wake - Date.now())),
    );
    return () => clearTimeout(timer);
  }, [expiries, now, onRefresh, leadMs]);
  return now;
}

const secondListeners = new Set<() => void>();
let secondTimer: ReturnType<typeof setInterval> | null = null;
let secondNow = Date.now();

function subscribeSeconds(listener: () => void): () => void {
  secondListeners.add(listener);
  if (!secondTimer) {
    secondNow = Date.now();
    secondTimer = setInterval(() => {
      secondNow = Date.now();
      for (const l of secondListeners) l();
    }, 1_000);
  }
  return () => {
    secondListeners.delete(listener);
    if (secondListeners.size === 0 && secondTimer) {
      clearInterval(secondTimer);
      secondTimer = null;
    }
  };
}

/**
 * The time, moving once a second while a component using it is shown ("12 s ago"). One
 * timer for every user of it on the page.
 */
export function useSecondTick(): number {
  return useSyncExternalStore(subscribeSeconds, readSeconds);
}

function readSeconds(): number {
  // Before the first subscriber (or after the last left) the clock is not moving: catch up.
  if (!secondTimer && Date.now() - secondNow >= 1_000) secondNow = Date.now();
  return secondNow;
}

function spell(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return s % 60 && min < 10 ? `${min} min ${s % 60} s` : `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** `12 s ago`, `3 min 5 s ago`, `2 h ago`; `in 4 min` for a moment ahead. */
export function relativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const delta = now - at;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `${spell(delta)} ago` : `in ${spell(-delta)}`;
}
