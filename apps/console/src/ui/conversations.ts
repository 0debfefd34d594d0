import type { components } from '@agenthub/client';
import { everyValue } from './every-value';

export type Message = components['schemas']['MessageResponseDto'];
export type MessageStatus = Message['status'];

/** Every delivery status, in the order of the cycle (the final ones last). */
export const MESSAGE_STATUSES = everyValue<MessageStatus>()([
  'pending',
  'sent',
  'delivered',
  'acknowledged',
  'failed',
  'expired',
]);

/**
 * What ties messages together into one thread: their conversation (a message, its replies and
 * theirs), else the send they came from (its correlation id), else the message alone.
 */
export type ThreadKind = 'conversation' | 'correlation' | 'message';

export interface ThreadRef {
  kind: ThreadKind;
  id: string;
}

/** The URL search parameter that selects a thread of each kind. */
export const THREAD_PARAM: Record<ThreadKind, string> = {
  conversation: 'conversation',
  correlation: 'correlation',
  message: 'message',
};

export function threadOf(message: Message): ThreadRef {
  if (message.conversation_id) return { kind: 'conversation', id: message.conversation_id };
  if (message.correlation_id) return { kind: 'correlation', id: message.correlation_id };
  return { kind: 'message', id: message.id };
}

export const threadKey = (ref: ThreadRef): string => `${ref.kind}:${ref.id}`;

/** Whether `message` belongs to the thread `ref` selects. */
export function threadContains(ref: ThreadRef, message: Message): boolean {
  if (ref.kind === 'conversation') return message.conversation_id === ref.id;
  if (ref.kind === 'correlation') return message.correlation_id === ref.id;
  return message.id === ref.id || message.message_id === ref.id;
}

/** Who sent or received: an agent (named when the agent is known) or a user. */
export interface Party {
  type: 'agent' | 'user';
  /** `null` for a sender that was deleted since. */
  id: string | null;
}

export const partyKey = (party: Party): string => `${party.type}:${party.id ?? 'deleted'}`;

export type StatusCounts = Record<MessageStatus, number>;

export function statusCounts(messages: readonly Message[]): StatusCounts {
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const message of messages) counts[message.status] += 1;
  return counts;
}

/** `{acknowledged: 3, failed: 1}` → the statuses present, in the cycle's order. */
export function statusSummary(counts: StatusCounts): { status: MessageStatus; count: number }[] {
  return MESSAGE_STATUSES.filter((s) => counts[s] > 0).map((status) => ({
    status,
    count: counts[status],
  }));
}

export interface ConversationSummary {
  ref: ThreadRef;
  key: string;
  /** Oldest first. */
  messages: Message[];
  /** Senders and recipients, each once, in the order they first appear. */
  participants: Party[];
  /** The newest message's `created_at`. */
  lastAt: string;
  firstAt: string;
  count: number;
  statuses: StatusCounts;
  /** Subject of the first message that has one. */
  subject: string | null;
  /** The newest message's type. */
  lastType: string;
}

const byCreated = (a: Message, b: Message) =>
  a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1;

export function participantsOf(messages: readonly Message[]): Party[] {
  const seen = new Map<string, Party>();
  const add = (party: Party) => {
    const key = partyKey(party);
    if (!seen.has(key)) seen.set(key, party);
  };
  for (const message of messages) {
    add({ type: message.sender_type, id: message.sender_id });
    add({ type: 'agent', id: message.recipient_id });
  }
  return [...seen.values()];
}

/**
 * A page of messages (any order) as conversations, the most recently active first: one per
 * conversation id, else per correlation id, else one per message.
 */
export function groupConversations(messages: readonly Message[]): ConversationSummary[] {
  const groups = new Map<string, { ref: ThreadRef; messages: Message[] }>();
  for (const message of messages) {
    const ref = threadOf(message);
    const key = threadKey(ref);
    const group = groups.get(key);
    if (group) group.messages.push(message);
    else groups.set(key, { ref, messages: [message] });
  }
  const summaries = [...groups.entries()].map(([key, group]): ConversationSummary => {
    const sorted = [...group.messages].sort(byCreated);
    const last = sorted[sorted.length - 1];
    return {
      ref: group.ref,
      key,
      messages: sorted,
      participants: participantsOf(sorted),
      lastAt: last.created_at,
      firstAt: sorted[0].created_at,
      count: sorted.length,
      statuses: statusCounts(sorted),
      subject: sorted.find((m) => m.subject)?.subject ?? null,
      lastType: last.message_type,
    };
  });
  return summaries.sort((a, b) =>
    a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : a.key < b.key ? -1 : 1,
  );
}

/**
 * One send as the thread shows it: what was said once, and one delivery (its own row, with
 * its own status) per recipient. Rows of one send share the correlation id, the sender, the
 * time and the content.
 */
export interface Send {
  key: string;
  /** The first row of the send (for its anchor, reply links and content). */
  first: Message;
  sender: Party;
  message_type: string;
  priority: Message['priority'];
  subject: string | null;
  payload: Message['payload'];
  reply_to: string | null;
  created_at: string;
  /** One per recipient, in the order they were written. */
  deliveries: Message[];
}

const sendKey = (m: Message) =>
  JSON.stringify([
    m.correlation_id ?? m.id,
    m.sender_type,
    m.sender_id,
    m.created_at,
    m.message_type,
    m.subject,
    m.reply_to,
  ]);

/** A thread's messages (any order) as sends, oldest first. */
export function groupSends(messages: readonly Message[]): Send[] {
  const sends = new Map<string, Send>();
  for (const message of [...messages].sort(byCreated)) {
    const key = sendKey(message);
    const send = sends.get(key);
    if (send) send.deliveries.push(message);
    else
      sends.set(key, {
        key,
        first: message,
        sender: { type: message.sender_type, id: message.sender_id },
        message_type: message.message_type,
        priority: message.priority,
        subject: message.subject,
        payload: message.payload,
        reply_to: message.reply_to,
        created_at: message.created_at,
        deliveries: [message],
      });
  }
  return [...sends.values()];
}

/**
 * The send a `reply_to` names within a thread: `reply_to` is the id (or `message_id`) of one
 * row, and any row of a send stands for the send.
 */
export function findRepliedSend(sends: readonly Send[], replyTo: string): Send | undefined {
  return sends.find((send) =>
    send.deliveries.some((m) => m.id === replyTo || m.message_id === replyTo),
  );
}

/** The facts of one delivery worth showing, in the order of the cycle; absent ones left out. */
export function deliveryFacts(message: Message): { label: string; value: string; time: boolean }[] {
  const facts: { label: string; value: string; time: boolean }[] = [];
  const time = (label: string, value: string | null) => {
    if (value) facts.push({ label, value, time: true });
  };
  time('Handed over', message.sent_at);
  time('Delivered', message.delivered_at);
  time('Acknowledged', message.acknowledged_at);
  time('Failed', message.failed_at);
  if (message.status === 'sent' || message.status === 'delivered')
    time('Back to pending unless acknowledged', message.visible_until);
  if (message.expires_at)
    facts.push({
      label: message.status === 'expired' ? 'Expired at' : 'Expires',
      value: message.expires_at,
      time: true,
    });
  facts.push({
    label: 'Retries',
    value: `${message.retry_count} of ${message.max_retries}`,
    time: false,
  });
  if (message.last_error)
    facts.push({ label: 'Last error', value: message.last_error, time: false });
  return facts;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A pasted id, trimmed and lower-cased, or `null` when it is not a UUID. */
export function parseThreadId(text: string): string | null {
  const id = text.trim().toLowerCase();
  return UUID.test(id) ? id : null;
}

/** The thread the URL's search parameters select, if any (the first kind present wins). */
export function readThreadRef(params: URLSearchParams): ThreadRef | null {
  for (const kind of ['conversation', 'correlation', 'message'] as const) {
    const id = params.get(THREAD_PARAM[kind]);
    if (id) return { kind, id };
  }
  return null;
}

/** The search parameters with `ref` selected (and any other selection removed). */
export function withThreadRef(params: URLSearchParams, ref: ThreadRef | null): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of Object.values(THREAD_PARAM)) next.delete(name);
  if (ref) next.set(THREAD_PARAM[ref.kind], ref.id);
  return next;
}
