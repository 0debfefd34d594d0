export const MESSAGE_STATUSES = [
  'pending',
  'sent',
  'delivered',
  'acknowledged',
  'failed',
  'expired',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const MESSAGE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type MessagePriority = (typeof MESSAGE_PRIORITIES)[number];

/** `acknowledged`, `failed` and `expired` are final: nothing moves a message out of them. */
export const FINAL_STATUSES: readonly MessageStatus[] = ['acknowledged', 'failed', 'expired'];

/**
 * What moves a message, and who makes the move:
 * - `hand_over`: a receive call or a push on the recipient's event stream (pending → sent);
 * - `deliver`, `ack`, `nack_retry`, `nack_fail`: the recipient (POST /messages/:id/…);
 * - `time_out`: the window passed unacknowledged (the sweeper, or a receive before it picks);
 * - `expire`: `expires_at` passed (the sweeper, a receive, or a call on the message).
 */
export type MessageAction =
  'hand_over' | 'deliver' | 'ack' | 'nack_retry' | 'nack_fail' | 'time_out' | 'expire';

export interface MessageTransition {
  /** The statuses the move starts from; from anything else it is illegal. */
  from: readonly MessageStatus[];
  /**
   * Where it goes. `redeliver_or_fail`: back to pending with `retry_count + 1`, or to failed
   * once `retry_count` has reached `max_retries` (decided in SQL, on the locked row).
   */
  to: MessageStatus | 'redeliver_or_fail';
}

/**
 * THE transition table of agent messages. MessageRepository builds every status change from
 * it: `UPDATE … WHERE status = ANY(from)`, so the row lock the UPDATE takes and the re-check
 * of `status` on the locked row make each move happen once, whichever request or API process
 * tries it concurrently; anything not in the table is answered 409 MESSAGE.ILLEGAL_TRANSITION.
 */
export const MESSAGE_TRANSITIONS: Readonly<Record<MessageAction, MessageTransition>> = {
  hand_over: { from: ['pending'], to: 'sent' },
  deliver: { from: ['sent'], to: 'delivered' },
  ack: { from: ['sent', 'delivered'], to: 'acknowledged' },
  nack_retry: { from: ['sent', 'delivered'], to: 'redeliver_or_fail' },
  nack_fail: { from: ['sent', 'delivered'], to: 'failed' },
  time_out: { from: ['sent', 'delivered'], to: 'redeliver_or_fail' },
  expire: { from: ['pending', 'sent', 'delivered'], to: 'expired' },
};

export function canApply(action: MessageAction, from: MessageStatus): boolean {
  return MESSAGE_TRANSITIONS[action].from.includes(from);
}

export const isFinal = (status: MessageStatus): boolean => FINAL_STATUSES.includes(status);
