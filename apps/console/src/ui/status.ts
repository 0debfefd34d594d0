/**
 * One colour per status, for every kind of thing the console shows (agents, tasks, workflow
 * steps and executions, messages, workflows): the same word is the same colour everywhere.
 * `tone` names a palette entry in styles.css (`--tone-<tone>`); the label is what is read
 * out, so colour is never the only cue.
 */
export type Tone = 'neutral' | 'info' | 'active' | 'success' | 'warning' | 'danger' | 'muted';

const TONES: Record<string, Tone> = {
  // agents
  online: 'success',
  idle: 'info',
  active: 'active',
  busy: 'active',
  offline: 'muted',
  error: 'danger',
  // tasks, steps, executions
  pending: 'neutral',
  in_progress: 'active',
  running: 'active',
  completed: 'success',
  failed: 'danger',
  cancelled: 'muted',
  // agent messages
  sent: 'info',
  delivered: 'active',
  acknowledged: 'success',
  expired: 'warning',
  // workflow definitions
  draft: 'neutral',
  paused: 'warning',
};

export function statusTone(status: string | null | undefined): Tone {
  return (status && TONES[status]) || 'neutral';
}

/** `in_progress` → `in progress`. */
export function statusLabel(status: string | null | undefined): string {
  return status ? status.replace(/_/g, ' ') : 'unknown';
}

/** Tones as colours (SVG fills cannot read CSS classes from a stylesheet's palette alone). */
export const TONE_COLOURS: Record<Tone, { fill: string; stroke: string; text: string }> = {
  neutral: { fill: '#eef1f5', stroke: '#8a94a6', text: '#1f2633' },
  info: { fill: '#e3f0ff', stroke: '#2f6fd6', text: '#123b7a' },
  active: { fill: '#fff4d6', stroke: '#c98a00', text: '#5c3d00' },
  success: { fill: '#e2f6e9', stroke: '#1f8f4e', text: '#0d4526' },
  warning: { fill: '#fdebd8', stroke: '#c2621b', text: '#5e2c06' },
  danger: { fill: '#fde4e4', stroke: '#c62828', text: '#6b1010' },
  muted: { fill: '#e6e6e6', stroke: '#5c5c5c', text: '#3a3a3a' },
};
