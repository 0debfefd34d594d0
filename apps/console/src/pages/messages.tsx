import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { unwrap } from '../api/problem';
import { useClient } from '../api/session';
import { Empty, ErrorNotice, JsonView, Loading, Pager, StatusBadge, Time } from '../ui/components';
import { usePageOffset } from '../ui/search-params';
import {
  deliveryFacts,
  findRepliedSend,
  groupConversations,
  groupSends,
  parseThreadId,
  participantsOf,
  readThreadRef,
  statusCounts,
  statusSummary,
  threadContains,
  threadKey,
  threadOf,
  withThreadRef,
  type ConversationSummary,
  type Message,
  type Send,
  type StatusCounts,
  type ThreadKind,
  type ThreadRef,
} from '../ui/conversations';
import { usePartyLabel } from '../ui/message-parties';
import { shortId } from '../ui/workflow-model';
import './messages.css';

/** Messages per page of the list the conversations are grouped from. */
const LIST_PAGE = 100;
/** Messages of one thread read at once (the API's largest page). */
const THREAD_PAGE = 500;

const KIND_LABEL: Record<ThreadKind, string> = {
  conversation: 'Conversation',
  correlation: 'Correlation',
  message: 'Message',
};

function StatusCountList({ counts }: { counts: StatusCounts }) {
  return (
    <ul className="status-counts" aria-label="Delivery statuses">
      {statusSummary(counts).map(({ status, count }) => (
        <li key={status}>
          <StatusBadge status={status} /> <span className="count">{count}</span>
        </li>
      ))}
    </ul>
  );
}

/** The recent messages of the project, as conversations. */
function ConversationList({
  projectId,
  selected,
}: {
  projectId: string;
  selected: ThreadRef | null;
}) {
  const client = useClient();
  const [params] = useSearchParams();
  const [offset, setOffset] = usePageOffset();
  const label = usePartyLabel(projectId);
  const list = useQuery({
    queryKey: ['messages', projectId, 'list', offset],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/v1/messages', {
          params: { query: { project_id: projectId, limit: LIST_PAGE, offset } },
          signal,
        }),
      ),
  });
  const conversations = list.data ? groupConversations(list.data.items) : [];
  const isSelected = (c: ConversationSummary) =>
    selected !== null && c.messages.some((m) => threadContains(selected, m));
  const hrefOf = (c: ConversationSummary) => `?${withThreadRef(params, c.ref).toString()}`;

  return (
    <section className="conversations" aria-labelledby="conversations-title">
      <h2 id="conversations-title">Recent conversations</h2>
      <ErrorNotice error={list.error} />
      {list.isPending && <Loading what="messages" />}
      {list.data && list.data.total === 0 && <Empty>No agent messages in this project yet.</Empty>}
      {conversations.length > 0 && (
        <>
          <ol className="conversation-list">
            {conversations.map((c) => (
              <li
                key={c.key}
                data-conversation-key={c.key}
                className={isSelected(c) ? 'selected' : undefined}
              >
                <Link
                  to={hrefOf(c)}
                  aria-current={isSelected(c) ? 'true' : undefined}
                  className="conversation-link"
                >
                  <span className="conversation-title">
                    {c.subject ?? c.lastType}
                    {c.ref.kind !== 'conversation' && (
                      <span className="muted kind"> · by {c.ref.kind} id</span>
                    )}
                  </span>
                  <span className="participants">{c.participants.map(label).join(', ')}</span>
                </Link>
                <div className="conversation-meta">
                  <Time value={c.lastAt} />
                  <span className="muted">
                    {c.count} {c.count === 1 ? 'message' : 'messages'}
                  </span>
                  <StatusCountList counts={c.statuses} />
                </div>
              </li>
            ))}
          </ol>
          {list.data && list.data.total > LIST_PAGE && (
            <p className="muted small">
              Grouped from messages {offset + 1}–{Math.min(offset + LIST_PAGE, list.data.total)} of{' '}
              {list.data.total}, newest first: a conversation may continue on another page.
            </p>
          )}
          {list.data && list.data.total > LIST_PAGE && (
            <Pager offset={offset} limit={LIST_PAGE} total={list.data.total} onOffset={setOffset} />
          )}
        </>
      )}
    </section>
  );
}

/** Paste a conversation, correlation or message id to open its thread. */
function OpenThreadForm() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState('');
  const [kind, setKind] = useState<ThreadKind>('conversation');
  const [problem, setProblem] = useState<string | null>(null);
  const errorId = useId();

  const open = (event: FormEvent) => {
    event.preventDefault();
    const id = parseThreadId(text);
    if (!id) {
      setProblem('Paste an id: a UUID such as 720fde36-b3e8-4b18-ac61-c58cc51a962d.');
      return;
    }
    setProblem(null);
    setParams(withThreadRef(params, { kind, id }));
  };

  return (
    <form className="open-thread toolbar" onSubmit={open} aria-label="Open a conversation by id">
      <label>
        Id
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="conversation or correlation id"
          spellCheck={false}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? errorId : undefined}
        />
      </label>
      <label>
        Look up as
        <select value={kind} onChange={(e) => setKind(e.target.value as ThreadKind)}>
          <option value="conversation">conversation id</option>
          <option value="correlation">correlation id</option>
          <option value="message">message id</option>
        </select>
      </label>
      <button type="submit">Open</button>
      {problem && (
        <p id={errorId} className="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

function DeliveryItem({
  message,
  recipient,
  highlighted,
}: {
  message: Message;
  recipient: string;
  highlighted: boolean;
}) {
  // The message the page was opened for is brought into view once, when it appears.
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [highlighted]);
  return (
    <li
      ref={ref}
      data-message-id={message.id}
      data-delivery-status={message.status}
      className={highlighted ? 'highlighted' : undefined}
    >
      <div className="delivery-head">
        <span className="recipient">→ {recipient}</span>
        <StatusBadge status={message.status} />
      </div>
      <dl className="delivery-facts">
        {deliveryFacts(message).map((fact) => (
          <div key={fact.label} className={fact.label === 'Last error' ? 'error' : undefined}>
            <dt>{fact.label}</dt>
            <dd>{fact.time ? <Time value={fact.value} /> : fact.value}</dd>
          </div>
        ))}
      </dl>
    </li>
  );
}

const anchorOf = (message: Message) => `msg-${message.id}`;

function SendItem({
  send,
  sends,
  label,
  highlight,
}: {
  send: Send;
  sends: Send[];
  label: ReturnType<typeof usePartyLabel>;
  highlight: string | null;
}) {
  const replied = send.reply_to ? findRepliedSend(sends, send.reply_to) : undefined;
  const recipients = send.deliveries.map((m) => label({ type: 'agent', id: m.recipient_id }));
  return (
    <li className="send" id={anchorOf(send.first)}>
      <article aria-label={`${send.message_type} from ${label(send.sender)}`}>
        <header className="send-head">
          <span className="route">
            <strong>{label(send.sender)}</strong>
            {send.sender.type === 'user' && <span className="muted"> (user)</span>} →{' '}
            {recipients.join(', ')}
          </span>
          <span className="send-tags">
            <code className="type">{send.message_type}</code>
            <span className={`msg-priority msg-priority-${send.priority}`} title="Priority">
              {send.priority}
            </span>
            <Time value={send.created_at} />
          </span>
        </header>
        {send.subject && <p className="subject">{send.subject}</p>}
        {send.reply_to && (
          <p className="reply-to muted small">
            In reply to{' '}
            {replied ? (
              <a href={`#${anchorOf(replied.first)}`}>
                {replied.message_type} from {label(replied.sender)}
              </a>
            ) : (
              <Link to={`?message=${send.reply_to}`}>message {shortId(send.reply_to)}</Link>
            )}
          </p>
        )}
        <JsonView value={send.payload} />
        <ul className="deliveries" aria-label="Deliveries">
          {send.deliveries.map((m) => (
            <DeliveryItem
              key={m.id}
              message={m}
              recipient={label({ type: 'agent', id: m.recipient_id })}
              highlighted={m.id === highlight}
            />
          ))}
        </ul>
      </article>
    </li>
  );
}

/** The messages of one thread: the selected one, or the one of the selected message. */
function useThread(projectId: string, ref: ThreadRef) {
  const client = useClient();
  // A message alone: read it, then its conversation (or send) if it has one.
  const single = useQuery({
    queryKey: ['messages', projectId, 'one', ref.id],
    enabled: ref.kind === 'message',
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/v1/messages/{id}', { params: { path: { id: ref.id } }, signal })),
  });
  const resolved: ThreadRef | null =
    ref.kind !== 'message' ? ref : single.data ? threadOf(single.data) : null;
  const many = useQuery({
    queryKey: ['messages', projectId, 'thread', resolved?.kind, resolved?.id],
    enabled: resolved !== null && resolved.kind !== 'message',
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/v1/messages', {
          params: {
            query: {
              project_id: projectId,
              limit: THREAD_PAGE,
              ...(resolved?.kind === 'conversation'
                ? { conversation_id: resolved.id }
                : { correlation_id: resolved?.id }),
            },
          },
          signal,
        }),
      ),
  });
  if (resolved?.kind === 'message')
    return {
      resolved,
      messages: single.data ? [single.data] : [],
      total: 1,
      error: single.error,
      pending: false,
    };
  return {
    resolved,
    messages: many.data?.items ?? [],
    total: many.data?.total ?? 0,
    error: single.error ?? many.error,
    pending: (ref.kind === 'message' && single.isPending) || (resolved !== null && many.isPending),
  };
}

function Thread({ projectId, selected }: { projectId: string; selected: ThreadRef }) {
  const [params] = useSearchParams();
  const label = usePartyLabel(projectId);
  const thread = useThread(projectId, selected);
  const sends = groupSends(thread.messages);
  const participants = participantsOf(thread.messages);
  const correlations = [
    ...new Set(thread.messages.map((m) => m.correlation_id).filter((id) => id !== null)),
  ];
  const conversations = [
    ...new Set(thread.messages.map((m) => m.conversation_id).filter((id) => id !== null)),
  ];
  const title = sends.find((s) => s.subject)?.subject ?? KIND_LABEL[selected.kind];
  const highlight = selected.kind === 'message' ? selected.id : null;

  return (
    <section
      className="thread panel"
      aria-labelledby="thread-title"
      data-thread-key={threadKey(selected)}
    >
      <header className="thread-head">
        <h2 id="thread-title">{title}</h2>
        <Link to={`?${withThreadRef(params, null).toString()}`} className="close-thread">
          Close
        </Link>
      </header>
      <ErrorNotice error={thread.error} />
      {thread.pending && <Loading what="the conversation" />}
      {!thread.pending && !thread.error && thread.messages.length === 0 && (
        <Empty>
          No messages with {selected.kind} id <code>{selected.id}</code> in this project.
        </Empty>
      )}
      {thread.messages.length > 0 && (
        <>
          <dl className="facts thread-facts">
            {conversations.length > 0 && (
              <>
                <dt>Conversation</dt>
                <dd>
                  {conversations.map((id) => (
                    <code key={id}>{id}</code>
                  ))}
                </dd>
              </>
            )}
            <dt>{correlations.length === 1 ? 'Correlation' : 'Correlations'}</dt>
            <dd className="id-list">
              {correlations.map((id) => (
                <Link
                  key={id}
                  to={`?${withThreadRef(params, { kind: 'correlation', id }).toString()}`}
                >
                  <code>{id}</code>
                </Link>
              ))}
            </dd>
            <dt>Participants</dt>
            <dd>{participants.map(label).join(', ')}</dd>
            <dt>Messages</dt>
            <dd>
              {thread.total} {thread.total === 1 ? 'delivery' : 'deliveries'} in {sends.length}{' '}
              {sends.length === 1 ? 'send' : 'sends'}
              {thread.total > thread.messages.length &&
                ` (the newest ${thread.messages.length} shown)`}
            </dd>
            <dt>Status</dt>
            <dd>
              <StatusCountList counts={statusCounts(thread.messages)} />
            </dd>
          </dl>
          <ol className="send-list" aria-label="Messages, oldest first">
            {sends.map((send) => (
              <SendItem
                key={send.key}
                send={send}
                sends={sends}
                label={label}
                highlight={highlight}
              />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

/** Agent messages of the project as conversations, each message with its delivery status. */
export function MessagesPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const selected = readThreadRef(params);
  const selectedKey = selected ? threadKey(selected) : null;
  return (
    <div className="messages-page">
      <h1>Messages</h1>
      <OpenThreadForm />
      <div className={`messages-layout${selected ? ' has-selection' : ''}`}>
        <ConversationList projectId={projectId} selected={selected} />
        {selected ? (
          <Thread key={selectedKey} projectId={projectId} selected={selected} />
        ) : (
          <section className="thread thread-none panel">
            <Empty>Pick a conversation, or open one by its id.</Empty>
          </section>
        )}
      </div>
    </div>
  );
}
