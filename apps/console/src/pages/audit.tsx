import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { unwrap } from '../api/problem';
import { useClient, useSession } from '../api/session';
import {
  ACTOR_TYPES,
  activeFilters,
  auditQuery,
  KNOWN_ACTIONS,
  readAuditFilters,
  RESOURCE_TYPES,
  resourceHref,
  resourceTypeLabel,
  writeAuditFilters,
  type AuditEntry,
  type AuditFilters,
} from '../ui/audit-filters';
import { Empty, ErrorNotice, Loading, Pager, Time } from '../ui/components';
import { usePageOffset } from '../ui/search-params';
import { useAgentNames } from '../ui/agent-queries';
import { partyLabel } from '../ui/message-parties';
import './audit.css';

const PAGE = 50;

/** The five filters, applied together; kept in the URL. */
function FilterForm({
  filters,
  agents,
}: {
  filters: AuditFilters;
  agents: ReadonlyMap<string, string> | undefined;
}) {
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const field = (name: keyof AuditFilters) => ({
    value: draft[name] ?? '',
    onChange: (e: { target: { value: string } }) =>
      setDraft((d) => ({ ...d, [name]: e.target.value })),
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setParams(writeAuditFilters(params, draft));
  };
  const clear = () => {
    setDraft({});
    setParams(writeAuditFilters(params, {}));
  };
  const count = activeFilters(filters);
  // Open beside a wide table; folded on a phone unless filters are set.
  const [open, setOpen] = useState(
    () =>
      count > 0 ||
      typeof window.matchMedia !== 'function' ||
      window.matchMedia('(min-width: 701px)').matches,
  );
  return (
    <details
      className="audit-filter-box"
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary>Filters{count > 0 ? ` (${count})` : ''}</summary>
      <form className="audit-filters toolbar" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Actor type
          <select {...field('actor_type')}>
            <option value="">any</option>
            {ACTOR_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor id
          <input {...field('actor_id')} list="audit-actors" spellCheck={false} className="id" />
          <datalist id="audit-actors">
            {[...(agents ?? new Map<string, string>()).entries()].map(([id, name]) => (
              <option key={id} value={id} label={name} />
            ))}
          </datalist>
        </label>
        <label>
          Action
          <input {...field('action')} list="audit-actions" spellCheck={false} />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
        </label>
        <label>
          Resource type
          <select {...field('resource_type')}>
            <option value="">any</option>
            {RESOURCE_TYPES.map((type) => (
              <option key={type} value={type}>
                {resourceTypeLabel(type)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Resource id
          <input {...field('resource_id')} spellCheck={false} className="id" />
        </label>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            Apply
          </button>
          <button type="button" onClick={clear} disabled={count === 0}>
            Clear
          </button>
        </div>
      </form>
    </details>
  );
}

function ActorCell({
  entry,
  agents,
  me,
  filterHref,
}: {
  entry: AuditEntry;
  agents: ReadonlyMap<string, string> | undefined;
  me: { id: string; name: string };
  filterHref: (filters: AuditFilters) => string;
}) {
  if (entry.actor_type !== 'user' && entry.actor_type !== 'agent')
    return (
      <Link
        to={filterHref({ actor_type: entry.actor_type })}
        title={`Only rows by ${entry.actor_type}`}
      >
        {entry.actor_type}
      </Link>
    );
  const name = partyLabel({ type: entry.actor_type, id: entry.actor_id }, agents, me);
  return (
    <span className="actor">
      <span className="actor-type">{entry.actor_type}</span>{' '}
      {entry.actor_id ? (
        <Link
          to={filterHref({ actor_type: entry.actor_type, actor_id: entry.actor_id })}
          title={`Only rows by ${name} (${entry.actor_id})`}
        >
          {name}
        </Link>
      ) : (
        name
      )}
    </span>
  );
}

/** The project's audit log: who changed what, when, with which request; newest first. */
export function AuditPage() {
  const { projectId = '' } = useParams();
  const client = useClient();
  const { user } = useSession();
  const [params] = useSearchParams();
  const filters = readAuditFilters(params);
  const [offset, setOffset] = usePageOffset();
  const agents = useAgentNames(projectId).data;
  const me = { id: user.id, name: user.name };

  const audit = useQuery({
    queryKey: ['audit', projectId, filters, offset],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/v1/projects/{id}/audit', {
          params: { path: { id: projectId }, query: auditQuery(filters, offset, PAGE) },
          signal,
        }),
      ),
  });

  /** A filter link: these filters added to the ones set, back on the first page. */
  const filterHref = (more: AuditFilters) =>
    `?${writeAuditFilters(params, { ...filters, ...more }).toString()}`;
  const projectPath = `/projects/${projectId}/`;

  return (
    <div className="audit-page">
      <header className="audit-head">
        <h1>Audit log</h1>
        <button type="button" onClick={() => void audit.refetch()} disabled={audit.isFetching}>
          {audit.isFetching ? 'Reading…' : 'Refresh'}
        </button>
      </header>
      <FilterForm key={params.toString()} filters={filters} agents={agents} />
      <ErrorNotice error={audit.error} />
      {audit.isPending && <Loading what="the audit log" />}
      {audit.data && audit.data.total === 0 && (
        <Empty>
          {activeFilters(filters) > 0
            ? 'No rows match these filters.'
            : 'Nothing has been changed in this project yet.'}
        </Empty>
      )}
      {audit.data && audit.data.items.length > 0 && (
        <>
          <div className="table-scroll">
            <table className="audit-table" aria-busy={audit.isFetching ? true : undefined}>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Resource</th>
                  <th scope="col">Request id</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.items.map((entry) => {
                  const href = resourceHref(entry.resource_type, entry.resource_id);
                  return (
                    <tr key={entry.id} data-audit-id={entry.id} data-action={entry.action}>
                      <td className="nowrap">
                        <Time value={entry.occurred_at} />
                      </td>
                      <td>
                        <ActorCell entry={entry} agents={agents} me={me} filterHref={filterHref} />
                      </td>
                      <td>
                        <Link
                          to={filterHref({ action: entry.action })}
                          title={`Only ${entry.action} rows`}
                        >
                          <code>{entry.action}</code>
                        </Link>
                      </td>
                      <td className="resource">
                        <span className="resource-type">
                          {resourceTypeLabel(entry.resource_type)}
                        </span>{' '}
                        {entry.resource_id &&
                          (href ? (
                            <Link to={projectPath + href}>
                              <code>{entry.resource_id}</code>
                            </Link>
                          ) : entry.resource_type === 'agent' && agents?.has(entry.resource_id) ? (
                            <span title={entry.resource_id}>{agents.get(entry.resource_id)}</span>
                          ) : (
                            <code>{entry.resource_id}</code>
                          ))}
                      </td>
                      <td>
                        <code className="request-id">{entry.request_id ?? '—'}</code>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} limit={PAGE} total={audit.data.total} onOffset={setOffset} />
        </>
      )}
    </div>
  );
}
