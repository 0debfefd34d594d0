// Offline checks of docker/: every Kubernetes manifest against the Kubernetes OpenAPI schema
// (the `kubernetes-models` package ships it as compiled validators), unknown fields included,
// the rules our rollout depends on (Job retry policy, probes, references between objects, the
// replicated shape: replicas, PodDisruptionBudgets, spreading, draining, which connections go
// through PgBouncer and which go straight to PostgreSQL, the pooler's size), and the compose
// file, its proxy and the Dockerfile they build on. No cluster, no Docker engine needed.
//   npm run validate:manifests [-- docker-dir]     exit 0 when everything holds, 1 otherwise
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

// Manifests are free-form YAML until validated: read them as loosely typed trees.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

const MODELS: Record<string, { prototype: { validate(): void } }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

interface Seen {
  path: string;
  keys: string[];
  read: Set<string>;
}

/**
 * Wraps `value` so that every property the schema validator reads is remembered: a key the
 * validator never looked at is a key the schema does not know (a typo such as `backofLimit`
 * would otherwise pass, as the published schemas allow additional properties).
 */
function tracked(value: unknown, path: string, seen: Seen[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const read = new Set<string>();
  const copy = Array.isArray(value)
    ? value.map((v, i) => tracked(v, `${path}[${i}]`, seen))
    : Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, tracked(v, path ? `${path}.${k}` : k, seen)]),
      );
  if (!Array.isArray(value)) seen.push({ path, keys: Object.keys(value), read });
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
    ownKeys(target) {
      for (const key of Reflect.ownKeys(target)) if (typeof key === 'string') read.add(key);
      return Reflect.ownKeys(target);
    },
  });
}

/** Schema errors and unknown fields of one Kubernetes object. */
function schemaErrors(object: Manifest): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const model = MODELS[key];
  if (!model) return [`unsupported kind ${key} (teach tools/validate-manifests.js about it)`];
  const seen: Seen[] = [];
  const proxy = tracked(object, '', seen);
  try {
    // The model's validate() runs the compiled OpenAPI schema on `this`: give it the tracked copy.
    model.prototype.validate.call(proxy);
  } catch (error) {
    return [`schema: ${(error as Error).message}`];
  }
  const unknown: string[] = [];
  for (const { path, keys, read } of seen)
    for (const k of keys) if (!read.has(k)) unknown.push(path ? `${path}.${k}` : k);
  return unknown.map((field) => `unknown field ${field}`);
}

function containersOf(object: Manifest): Manifest[] {
  return object.spec?.template?.spec?.containers ?? [];
}

type Labels = Record<string, string>;

/** The object of `kind` named `name`. */
function named(all: Manifest[], kind: string, name: string | undefined): Manifest | undefined {
  return all.find((o) => o.kind === kind && o.metadata?.name === name);
}

/** A Secret's values, `data` decoded, `stringData` over it (as the API server merges them). */
function secretValues(secret: Manifest | undefined): Record<string, string> {
  const decoded = Object.entries<string>(secret?.data ?? {}).map(([k, v]) => [
    k,
    Buffer.from(String(v), 'base64').toString('utf8'),
  ]);
  return { ...Object.fromEntries(decoded), ...(secret?.stringData ?? {}) };
}

/** Whether a LabelSelector (matchLabels and matchExpressions) selects pods labelled `labels`. */
function selects(selector: Manifest, labels: Labels): boolean {
  if (!selector) return false; // a null selector selects nothing, an empty one everything
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e: Manifest) => {
    const values: string[] = e.values ?? [];
    if (e.operator === 'In') return e.key in labels && values.includes(labels[e.key]);
    if (e.operator === 'NotIn') return !(e.key in labels) || !values.includes(labels[e.key]);
    if (e.operator === 'Exists') return e.key in labels;
    if (e.operator === 'DoesNotExist') return !(e.key in labels);
    return false;
  });
  return byLabel && byExpression;
}

function podLabels(object: Manifest): Labels {
  return object.spec?.template?.metadata?.labels ?? {};
}

/** An IntOrString count of `total` (3, or '25%' rounded as Kubernetes rounds it there). */
function countOf(value: unknown, total: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(String(value));
  if (!percent) return NaN;
  const exact = (total * Number(percent[1])) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * What a container's variable `name` is set to: a literal (env, a ConfigMap key, an envFrom
 * ConfigMap) or a Secret's key (env or envFrom). env wins over envFrom, a later envFrom over an
 * earlier one, as in Kubernetes.
 */
function variable(
  container: Manifest,
  name: string,
  all: Manifest[],
): { value?: string; secret?: { name: string; key: string; optional: boolean } } | undefined {
  const entry = (container.env ?? []).find((e: Manifest) => e.name === name);
  if (entry) {
    if (entry.value !== undefined) return { value: String(entry.value) };
    const secret = entry.valueFrom?.secretKeyRef;
    if (secret)
      return { secret: { name: secret.name, key: secret.key, optional: !!secret.optional } };
    const config = entry.valueFrom?.configMapKeyRef;
    const data = config && named(all, 'ConfigMap', config.name)?.data;
    return data && config.key in data ? { value: String(data[config.key]) } : {};
  }
  for (const from of [...(container.envFrom ?? [])].reverse()) {
    const prefix: string = from.prefix ?? '';
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const data = from.configMapRef && named(all, 'ConfigMap', from.configMapRef.name)?.data;
    if (data && key in data) return { value: String(data[key]) };
    const secret = from.secretRef && named(all, 'Secret', from.secretRef.name);
    if (secret && key in secretValues(secret))
      return { secret: { name: from.secretRef.name, key, optional: false } };
  }
  return undefined;
}

/** The value a variable resolves to, Secrets included (the example Secret's values). */
function resolved(container: Manifest, name: string, all: Manifest[]): string | undefined {
  const found = variable(container, name, all);
  if (found?.secret) return secretValues(named(all, 'Secret', found.secret.name))[found.secret.key];
  return found?.value;
}

/** host and port of a postgres:// URL, undefined when it is none. */
function endpoint(url: string | undefined): { host: string; port: number } | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: Number(parsed.port || 5432) };
  } catch {
    return undefined;
  }
}

/** Whether a host name (`svc`, `svc.ns`, `svc.ns.svc.cluster.local`) is Service `service`. */
function isServiceHost(host: string, service: Manifest): boolean {
  const name = service.metadata?.name;
  return host === name || host.startsWith(`${name}.`);
}

/** The API Deployment(s): pods labelled app.kubernetes.io/name=agenthub-api. */
const API_NAME = 'agenthub-api';
function isApi(object: Manifest): boolean {
  return object.kind === 'Deployment' && podLabels(object)['app.kubernetes.io/name'] === API_NAME;
}

/** A Deployment that runs PgBouncer. */
function isPgBouncer(object: Manifest): boolean {
  return (
    object.kind === 'Deployment' &&
    containersOf(object).some((c) => /(^|\/)pgbouncer[:@]|pgbouncer$/i.test(String(c.image)))
  );
}

/** The Services in front of a PgBouncer Deployment. */
function poolerServices(all: Manifest[]): Manifest[] {
  const poolers = all.filter(isPgBouncer);
  return all.filter(
    (o) =>
      o.kind === 'Service' &&
      poolers.some((d) =>
        Object.entries(o.spec?.selector ?? {}).every(([k, v]) => podLabels(d)[k] === v),
      ),
  );
}

/** The files a container sees from ConfigMap, Secret and projected volumes, with their text. */
function mountedFiles(
  podSpec: Manifest,
  container: Manifest,
  all: Manifest[],
): Map<string, string | undefined> {
  const files = new Map<string, string | undefined>();
  const sourceFiles = (source: Manifest): [string, string | undefined][] => {
    let values: Record<string, string> | undefined;
    let items: Manifest[] | undefined;
    if (source.configMap) {
      values = named(all, 'ConfigMap', source.configMap.name)?.data;
      items = source.configMap.items;
    } else if (source.secret) {
      const name = source.secret.secretName ?? source.secret.name;
      values = named(all, 'Secret', name) && secretValues(named(all, 'Secret', name));
      items = source.secret.items;
    } else return [];
    const list = items ?? Object.keys(values ?? {}).map((key) => ({ key, path: key }));
    return list.map((item) => [item.path, values?.[item.key]]);
  };
  for (const mount of container.volumeMounts ?? []) {
    const volume = (podSpec.volumes ?? []).find((v: Manifest) => v.name === mount.name);
    if (!volume) continue;
    const sources = volume.projected ? (volume.projected.sources ?? []) : [volume];
    for (const [path, text] of sources.flatMap(sourceFiles)) {
      if (mount.subPath) {
        if (mount.subPath === path) files.set(mount.mountPath, text);
      } else files.set(`${String(mount.mountPath).replace(/\/$/, '')}/${path}`, text);
    }
  }
  return files;
}

/** `[section] key = value` of an ini file such as pgbouncer.ini (; and # comment lines). */
function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = section[1].trim();
      sections[current] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) (sections[current] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return sections;
}

/**
 * How many connections the API Deployments' pools may open at once, a rollout's extra pods
 * included: (replicas + maxSurge) × DB_POOL_MAX (its default: 20).
 */
function apiPoolConnections(all: Manifest[]): { needed: number; how: string } {
  let needed = 0;
  const how: string[] = [];
  for (const d of all.filter(isApi)) {
    const replicas = d.spec?.replicas ?? 1;
    const surge = countOf(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', replicas, 'up');
    const poolMax = Math.max(
      0,
      ...containersOf(d).map((c) => Number(resolved(c, 'DB_POOL_MAX', all) ?? 20)),
    );
    needed += (replicas + surge) * poolMax;
    how.push(`(${replicas} replicas + ${surge} surge) × DB_POOL_MAX ${poolMax}`);
  }
  return { needed, how: how.join(' + ') };
}

/** Seconds a preStop hook sleeps (`sleep: {seconds}` or an exec of sleep N), or undefined. */
function preStopSleep(container: Manifest): number | undefined {
  const hook = container.lifecycle?.preStop;
  if (Number.isInteger(hook?.sleep?.seconds)) return hook.sleep.seconds;
  const command = (hook?.exec?.command ?? []).join(' ');
  const sleep = /(?:^|[\s/;&])sleep\s+(\d+)(?:s)?\b/.exec(command);
  return sleep ? Number(sleep[1]) : undefined;
}

/** Whether pods spread over nodes: a topology spread or (anti-)affinity term by hostname. */
function spreadsOverNodes(podSpec: Manifest, labels: Labels): boolean {
  const host = 'kubernetes.io/hostname';
  const spread = (podSpec.topologySpreadConstraints ?? []).some(
    (c: Manifest) => c.topologyKey === host && selects(c.labelSelector, labels),
  );
  const anti = podSpec.affinity?.podAntiAffinity;
  const terms = [
    ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
      (w: Manifest) => w.podAffinityTerm,
    ),
  ];
  return spread || terms.some((t) => t?.topologyKey === host && selects(t.labelSelector, labels));
}

/** The rules the rollout relies on, beyond what the schema can say. */
function policyErrors(object: Manifest, all: Manifest[]): string[] {
  const errors: string[] = [];
  const podSpec = object.spec?.template?.spec;
  const names = (kind: string) =>
    new Set(all.filter((o) => o.kind === kind).map((o) => o.metadata?.name));
  const configMaps = names('ConfigMap');
  const secrets = names('Secret');
  const claims = names('PersistentVolumeClaim');

  if (podSpec) {
    if (podSpec.securityContext?.runAsNonRoot !== true)
      errors.push('pod must set securityContext.runAsNonRoot: true');
    for (const c of containersOf(object)) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name))
          errors.push(`container ${c.name}: no ConfigMap ${from.configMapRef.name}`);
        if (from.secretRef && !secrets.has(from.secretRef.name))
          errors.push(`container ${c.name}: no Secret ${from.secretRef.name}`);
      }
      for (const env of c.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (ref && !secrets.has(ref.name))
          errors.push(`container ${c.name}: env ${env.name} names no Secret ${ref.name}`);
        const secret = ref && named(all, 'Secret', ref.name);
        if (secret && !ref.optional && !(ref.key in secretValues(secret)))
          errors.push(`container ${c.name}: Secret ${ref.name} has no key ${ref.key}`);
      }
      if (c.securityContext?.allowPrivilegeEscalation !== false)
        errors.push(`container ${c.name}: set securityContext.allowPrivilegeEscalation: false`);
    }
    for (const volume of podSpec.volumes ?? []) {
      if (volume.persistentVolumeClaim && !claims.has(volume.persistentVolumeClaim.claimName))
        errors.push(
          `volume ${volume.name}: no PersistentVolumeClaim ${volume.persistentVolumeClaim.claimName}`,
        );
      const sources = volume.projected ? (volume.projected.sources ?? []) : [volume];
      for (const source of sources) {
        const ref = source.configMap
          ? { kind: 'ConfigMap', ...source.configMap }
          : source.secret
            ? {
                kind: 'Secret',
                ...source.secret,
                name: source.secret.secretName ?? source.secret.name,
              }
            : undefined;
        if (!ref || ref.optional) continue;
        const target = named(all, ref.kind, ref.name);
        if (!target) {
          errors.push(`volume ${volume.name}: no ${ref.kind} ${ref.name}`);
          continue;
        }
        const keys = ref.kind === 'Secret' ? secretValues(target) : (target.data ?? {});
        for (const item of ref.items ?? [])
          if (!(item.key in keys))
            errors.push(`volume ${volume.name}: ${ref.kind} ${ref.name} has no key ${item.key}`);
      }
    }
  }

  if (object.kind === 'Job') {
    if (podSpec?.restartPolicy !== 'Never')
      errors.push(
        'Job: template.spec.restartPolicy must be Never (podFailurePolicy needs it, and a failed migration must not restart in place)',
      );
    if (!Number.isInteger(object.spec.backoffLimit))
      errors.push('Job: spec.backoffLimit must be set');
    if (!Number.isInteger(object.spec.activeDeadlineSeconds))
      errors.push('Job: spec.activeDeadlineSeconds must be set');
    const stopsOnValidation = (object.spec.podFailurePolicy?.rules ?? []).some(
      (rule: Manifest) =>
        rule.action === 'FailJob' &&
        rule.onExitCodes?.operator === 'In' &&
        rule.onExitCodes.values.includes(2) &&
        (!rule.onExitCodes.containerName ||
          containersOf(object).some((c) => c.name === rule.onExitCodes.containerName)),
    );
    if (!stopsOnValidation)
      errors.push(
        'Job: spec.podFailurePolicy must FailJob on exit code 2 (validation errors do not heal by retrying)',
      );
    // The migrator connects straight to PostgreSQL: its advisory lock is session-level, its DDL
    // runs under startup parameters a pooler refuses. When its Secret has a DATABASE_DIRECT_URL,
    // that is what it must use: as DATABASE_URL (every migrator), or as DATABASE_DIRECT_URL
    // (which the migrator prefers when set).
    for (const c of containersOf(object)) {
      const url = variable(c, 'DATABASE_URL', all);
      const direct = variable(c, 'DATABASE_DIRECT_URL', all);
      const used = direct?.secret || direct?.value ? direct : url;
      const hasDirect =
        used?.secret &&
        'DATABASE_DIRECT_URL' in secretValues(named(all, 'Secret', used.secret.name));
      if (used?.secret && hasDirect && used.secret.key !== 'DATABASE_DIRECT_URL')
        errors.push(
          `Job: container ${c.name} connects with the Secret's ${used.secret.key}: give the migrator DATABASE_URL from its DATABASE_DIRECT_URL (the advisory lock and DDL need a session, not a transaction-mode pooler)`,
        );
      const host = endpoint(
        resolved(c, used === direct ? 'DATABASE_DIRECT_URL' : 'DATABASE_URL', all),
      )?.host;
      const pooler = host && poolerServices(all).find((s) => isServiceHost(host, s));
      if (pooler)
        errors.push(
          `Job: container ${c.name} connects through the pooler Service ${pooler.metadata.name}: the migrator must reach PostgreSQL directly`,
        );
    }
  }

  if (object.kind === 'Deployment') {
    const replicas = object.spec?.replicas ?? 1;
    const labels = podLabels(object);
    if (replicas < 2)
      errors.push(
        `Deployment: spec.replicas is ${replicas}: run at least 2 (one pod is an outage at every node drain)`,
      );
    if (!spreadsOverNodes(podSpec ?? {}, labels))
      errors.push(
        'Deployment: spread the pods over nodes (topologySpreadConstraints or podAntiAffinity on kubernetes.io/hostname selecting its pods)',
      );
    const budgets = all.filter(
      (o) => o.kind === 'PodDisruptionBudget' && selects(o.spec?.selector, labels),
    );
    if (budgets.length === 0) errors.push('Deployment: no PodDisruptionBudget selects its pods');
    if (budgets.length > 1)
      errors.push(
        `Deployment: its pods are selected by ${budgets.length} PodDisruptionBudgets (the eviction API refuses such pods)`,
      );
    for (const pdb of budgets) {
      const { minAvailable, maxUnavailable } = pdb.spec ?? {};
      const keeps =
        minAvailable !== undefined
          ? countOf(minAvailable, replicas, 'up')
          : replicas - countOf(maxUnavailable, replicas, 'up');
      if (!(keeps >= 1))
        errors.push(
          `Deployment: PodDisruptionBudget ${pdb.metadata.name} lets all ${replicas} pods go at once`,
        );
      else if (keeps >= replicas)
        errors.push(
          `Deployment: PodDisruptionBudget ${pdb.metadata.name} keeps ${keeps} pods of ${replicas}: none can ever be evicted (node drains hang)`,
        );
    }
    for (const c of containersOf(object)) {
      const ports = new Set((c.ports ?? []).flatMap((p: Manifest) => [p.name, p.containerPort]));
      const probes: [string, string | undefined][] = isApi(object)
        ? [
            ['readinessProbe', '/health/ready'],
            ['livenessProbe', '/health/live'],
          ]
        : [
            ['readinessProbe', undefined],
            ['livenessProbe', undefined],
          ];
      for (const [probe, path] of probes) {
        const handler = c[probe]?.httpGet ?? c[probe]?.tcpSocket ?? c[probe]?.grpc;
        if (path !== undefined && c[probe]?.httpGet?.path !== path)
          errors.push(`container ${c.name}: ${probe} must GET ${path}`);
        else if (!c[probe]) errors.push(`container ${c.name}: no ${probe}`);
        else if (handler && !ports.has(handler.port))
          errors.push(`container ${c.name}: ${probe} port ${handler.port} is not a container port`);
      }
    }
    if (isApi(object)) errors.push(...apiErrors(object, all));
    if (isPgBouncer(object)) errors.push(...pgbouncerErrors(object, all));
  }

  if (object.kind === 'PodDisruptionBudget') {
    const spec = object.spec ?? {};
    if ((spec.minAvailable === undefined) === (spec.maxUnavailable === undefined))
      errors.push('PodDisruptionBudget: set exactly one of minAvailable and maxUnavailable');
    if (!all.some((o) => o.kind === 'Deployment' && selects(spec.selector, podLabels(o))))
      errors.push("PodDisruptionBudget: its selector matches no Deployment's pods");
  }

  if (object.kind === 'Secret') {
    const values = secretValues(object);
    const poolers = poolerServices(all);
    const direct = endpoint(values.DATABASE_DIRECT_URL);
    const pooledDirect = direct && poolers.find((s) => isServiceHost(direct.host, s));
    if (pooledDirect)
      errors.push(
        `Secret: DATABASE_DIRECT_URL names the pooler Service ${pooledDirect.metadata.name}: it must reach PostgreSQL directly`,
      );
    const pooled = endpoint(values.DATABASE_URL);
    if (pooled && poolers.length > 0) {
      const through = poolers.some(
        (s) =>
          isServiceHost(pooled.host, s) &&
          (s.spec?.ports ?? []).some((p: Manifest) => p.port === pooled.port),
      );
      if (!through)
        errors.push(
          `Secret: DATABASE_URL (${pooled.host}:${pooled.port}) must go through the PgBouncer Service ${poolers.map((s) => `${s.metadata.name}:${s.spec?.ports?.[0]?.port}`).join(' or ')}`,
        );
    }
  }

  if (object.kind === 'Service') {
    const selector = object.spec?.selector ?? {};
    const targets = all.filter(
      (o) =>
        o.kind === 'Deployment' &&
        Object.entries(selector).every(([k, v]) => o.spec?.template?.metadata?.labels?.[k] === v),
    );
    if (targets.length === 0) errors.push('Service: its selector matches no Deployment');
    for (const port of object.spec?.ports ?? []) {
      if (
        typeof port.targetPort === 'string' &&
        !targets.some((d) =>
          containersOf(d).some((c) =>
            (c.ports ?? []).some((p: Manifest) => p.name === port.targetPort),
          ),
        )
      ) {
        errors.push(
          `Service: targetPort ${port.targetPort} is no container port of the selected Deployment`,
        );
      }
    }
  }
  return errors;
}

/** The API Deployment: rollouts that never drop below its replicas, draining, the direct URL. */
function apiErrors(object: Manifest, all: Manifest[]): string[] {
  const errors: string[] = [];
  const strategy = object.spec?.strategy;
  const replicas = object.spec?.replicas ?? 1;
  if (
    strategy?.type === 'Recreate' ||
    countOf(strategy?.rollingUpdate?.maxUnavailable ?? '25%', replicas, 'down') !== 0 ||
    !(countOf(strategy?.rollingUpdate?.maxSurge ?? '25%', replicas, 'up') >= 1)
  )
    errors.push(
      'Deployment: a rolling update with maxUnavailable: 0 and maxSurge ≥ 1 (new pods turn ready only once their migrations are applied: old ones must keep serving meanwhile)',
    );
  const grace = object.spec?.template?.spec?.terminationGracePeriodSeconds ?? 30;
  for (const c of containersOf(object)) {
    const sleep = preStopSleep(c);
    if (!(sleep !== undefined && sleep >= 1))
      errors.push(
        `container ${c.name}: a preStop sleep, so that the Service stops routing to the pod before SIGTERM`,
      );
    else if (grace < sleep + 20)
      errors.push(
        `container ${c.name}: terminationGracePeriodSeconds ${grace} must leave 20 s after the preStop sleep (${sleep} s) for running requests (a long-polling receive waits up to 20 s)`,
      );
    const direct = variable(c, 'DATABASE_DIRECT_URL', all);
    if (!direct?.secret || direct.secret.key !== 'DATABASE_DIRECT_URL')
      errors.push(
        `container ${c.name}: env DATABASE_DIRECT_URL must come from the Secret's DATABASE_DIRECT_URL (each pod's LISTEN connection cannot go through a transaction-mode pooler)`,
      );
    if (resolved(c, 'AGENTHUB_MIGRATE_ON_START', all) !== 'false')
      errors.push(
        `container ${c.name}: AGENTHUB_MIGRATE_ON_START must be 'false' (the migrator Job migrates, not the replicas)`,
      );
  }
  return errors;
}

/** A PgBouncer Deployment: its mounted pgbouncer.ini, transaction mode, sized for the API. */
function pgbouncerErrors(object: Manifest, all: Manifest[]): string[] {
  const errors: string[] = [];
  const podSpec = object.spec?.template?.spec ?? {};
  for (const c of containersOf(object).filter((c) => /pgbouncer/i.test(String(c.image)))) {
    const files = mountedFiles(podSpec, c, all);
    const [iniPath, iniText] = [...files].find(([path]) => path.endsWith('.ini')) ?? [];
    if (iniPath === undefined || iniText === undefined) {
      errors.push(`container ${c.name}: no pgbouncer .ini mounted from a ConfigMap`);
      continue;
    }
    const commandLine = [...(c.command ?? []), ...(c.args ?? [])];
    if (commandLine.length > 0 && !commandLine.includes(iniPath))
      errors.push(`container ${c.name}: does not run with the mounted ${iniPath}`);
    const ini = parseIni(iniText);
    const settings = ini.pgbouncer ?? {};
    if (Object.keys(ini.databases ?? {}).length === 0)
      errors.push(`container ${c.name}: ${iniPath} has no [databases]`);
    if (settings.pool_mode !== 'transaction')
      errors.push(
        `container ${c.name}: ${iniPath}: pool_mode must be transaction (session mode gives every pool connection a server connection of its own)`,
      );
    const maxClients = Number(settings.max_client_conn ?? 100);
    const { needed, how } = apiPoolConnections(all);
    if (maxClients < needed)
      errors.push(
        `container ${c.name}: ${iniPath}: max_client_conn ${maxClients} is below what the API pools may open on one PgBouncer pod: ${how} = ${needed}`,
      );
    if (!(Number(settings.query_timeout ?? 0) > 0))
      errors.push(
        `container ${c.name}: ${iniPath}: set query_timeout (the statement timeout of pooled connections: PgBouncer refuses a statement_timeout startup parameter)`,
      );
    const port = Number(settings.listen_port ?? 6432);
    if (!(c.ports ?? []).some((p: Manifest) => p.containerPort === port))
      errors.push(`container ${c.name}: ${iniPath}: listen_port ${port} is not a container port`);
    const authFile = settings.auth_file;
    if (authFile && !files.has(authFile))
      errors.push(`container ${c.name}: ${iniPath}: auth_file ${authFile} is not mounted`);
  }
  return errors;
}

function validateKubernetes(dir: string): { errors: string[]; count: number } {
  const errors: string[] = [];
  const objects: { where: string; object: Manifest }[] = [];
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) errors.push(`${dir}: no manifests`);
  for (const file of files) {
    const docs = YAML.parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
    for (const [index, doc] of docs.entries()) {
      const where = `${file}#${index + 1}`;
      if (doc.errors.length > 0) {
        errors.push(...doc.errors.map((e) => `${where}: YAML: ${e.message}`));
        continue;
      }
      const object = doc.toJS();
      if (object === null) continue;
      objects.push({ where, object });
    }
  }
  const all = objects.map((o) => o.object);
  for (const { where, object } of objects) {
    const label = `${where} ${object.kind}/${object.metadata?.name}`;
    for (const error of [...schemaErrors(object), ...policyErrors(object, all)])
      errors.push(`${label}: ${error}`);
  }
  for (const kind of [
    'Job',
    'Deployment',
    'Service',
    'ConfigMap',
    'Secret',
    'PodDisruptionBudget',
  ]) {
    if (!all.some((o) => o.kind === kind)) errors.push(`${dir}: no ${kind} manifest`);
  }
  return { errors, count: objects.length };
}

/** FROM … AS name stages with their instructions. */
interface Stage {
  base: string;
  name?: string;
  lines: string[];
}

function dockerStages(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ base: from[1], name: from[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** The instructions an image built from `target` is made of (its stage and the stages it builds on). */
function stageChain(stages: Stage[], target: string): Stage[] {
  const chain: Stage[] = [];
  for (let stage = stages.find((s) => s.name === target); stage;) {
    chain.unshift(stage);
    const base: string = stage.base;
    stage = stages.find((s) => s.name === base);
  }
  return chain;
}

/** A compose service's environment as a map (the list form `KEY=value` too). */
function composeEnv(service: Manifest): Record<string, string> {
  const env = service?.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(
      env.map((e) => {
        const text = String(e);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
  );
}

/** The condition a service waits for `name` with, undefined when it does not depend on it. */
function dependsOn(service: Manifest, name: string): string | undefined {
  const deps = service?.depends_on;
  if (Array.isArray(deps)) return deps.includes(name) ? 'service_started' : undefined;
  return deps?.[name] ? (deps[name].condition ?? 'service_started') : undefined;
}

/** Host ports a service publishes: how many per entry ('any': an ephemeral one per container). */
function publishedPorts(service: Manifest): { spec: string; count: number | 'any' }[] {
  const count = (host: string | undefined): number | 'any' => {
    if (!host) return 'any';
    const range = /^(\d+)-(\d+)$/.exec(host);
    return range ? Number(range[2]) - Number(range[1]) + 1 : 1;
  };
  return (service?.ports ?? []).map((port: Manifest) => {
    if (typeof port === 'object' && port !== null)
      return {
        spec: JSON.stringify(port),
        count: count(port.published === undefined ? undefined : String(port.published)),
      };
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    return { spec: String(port), count: count(parts.length > 1 ? parts.at(-2) : undefined) };
  });
}

/** A service's bind mounts, sources resolved against the compose file's directory. */
function bindMounts(service: Manifest, file: string): { source: string; target: string }[] {
  return (service?.volumes ?? []).flatMap((v: Manifest) => {
    if (typeof v === 'object' && v !== null)
      return v.type === 'bind' && v.source
        ? [{ source: resolve(dirname(file), v.source), target: String(v.target) }]
        : [];
    const [source, target] = String(v).split(':');
    return /^[./~]/.test(source) && target
      ? [{ source: resolve(dirname(file), source), target }]
      : [];
  });
}

/** nginx durations (`60`, `60s`, `1h`, `500ms`) in seconds. */
function nginxSeconds(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
  if (!match) return NaN;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[match[2] ?? 's'] ?? 1;
  return Number(match[1]) * unit;
}

/** The body of the first `header {…}` block of an nginx configuration. */
function nginxBlock(text: string, header: RegExp): string | undefined {
  const match = header.exec(text);
  if (!match) return undefined;
  const open = text.indexOf('{', match.index + match[0].length - 1);
  for (let i = open + 1, depth = 1; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

/** An nginx proxy in front of the replicas: it reaches them, and lets event streams stream. */
function nginxErrors(name: string, service: Manifest, file: string, apiPort: number): string[] {
  const errors: string[] = [];
  const confs = bindMounts(service, file).filter(
    (m) => m.target.startsWith('/etc/nginx/') && existsSync(m.source),
  );
  if (confs.length === 0)
    return [`compose: ${name}: mounts no nginx configuration under /etc/nginx/`];
  const text = confs
    .map((m) => readFileSync(m.source, 'utf8'))
    .join('\n')
    .replace(/#[^\n]*/g, '');
  const upstreams = [...text.matchAll(/upstream\s+(\S+)\s*\{([^}]*)\}/g)];
  const toApi = new RegExp(`\\bserver\\s+api:${apiPort}\\b`);
  const targets = [
    `api:${apiPort}`,
    ...upstreams.filter(([, , body]) => toApi.test(body)).map(([, upstream]) => upstream),
  ];
  const passes = [...text.matchAll(/proxy_pass\s+https?:\/\/([^/;\s]+)/g)].map(([, to]) => to);
  if (passes.length === 0 || !passes.every((to) => targets.includes(to)))
    errors.push(
      `compose: ${name}: every proxy_pass must go to the api service (api:${apiPort}, or an upstream with server api:${apiPort})`,
    );
  const events = nginxBlock(text, /location\s+(?:\^~\s+|=\s+)?\/api\/v1\/events\s*\{/);
  if (events === undefined || !/\bproxy_buffering\s+off\s*;/.test(events))
    errors.push(
      `compose: ${name}: location /api/v1/events must set proxy_buffering off (server-sent events)`,
    );
  for (const [, value] of text.matchAll(/proxy_read_timeout\s+(\S+?)\s*;/g))
    if (!(nginxSeconds(value) > 20))
      errors.push(
        `compose: ${name}: proxy_read_timeout ${value} cuts long-polling receives (20 s) and idle streams (a comment every 15 s)`,
      );
  if (upstreams.some(([, , body]) => /\bserver\s+\S+[^;]*\bresolve\b/.test(body))) {
    const version = /:(\d+)\.(\d+)(?:\.(\d+))?/.exec(String(service.image ?? ''));
    const [major, minor, patch] = (version ?? []).slice(1).map((n) => Number(n ?? 0));
    if (!version || major * 1e6 + minor * 1e3 + patch < 1027003)
      errors.push(
        `compose: ${name}: an upstream server with "resolve" needs nginx 1.27.3 or later: pin such a version (not ${service.image})`,
      );
    if (!/\bresolver\s+\S/.test(text))
      errors.push(`compose: ${name}: "resolve" needs a resolver (Docker's is 127.0.0.11)`);
  }
  return errors;
}

/** PgBouncer between the replicas' pools and postgres: transaction mode, sized, with a timeout. */
function pgbouncerComposeErrors(
  pgbouncer: Manifest,
  file: string,
  replicas: number,
  poolMax: number,
): string[] {
  const errors: string[] = [];
  const image = String(pgbouncer.image ?? '');
  if (!/:[^/:]+$/.test(image) || /:latest$/.test(image))
    errors.push(`compose: pgbouncer: pin the image to a version tag (not ${image || 'none'})`);
  // Its settings: a mounted pgbouncer.ini, or the image's variables (edoburu/pgbouncer's names,
  // bitnami/pgbouncer's with their PGBOUNCER_ prefix).
  const env = composeEnv(pgbouncer);
  const ini = bindMounts(pgbouncer, file).find(
    (m) => m.target.endsWith('.ini') && existsSync(m.source),
  );
  const fromIni = ini ? (parseIni(readFileSync(ini.source, 'utf8')).pgbouncer ?? {}) : {};
  const setting = (key: string): string | undefined =>
    fromIni[key] ?? env[key.toUpperCase()] ?? env[`PGBOUNCER_${key.toUpperCase()}`];
  if (setting('pool_mode') !== 'transaction')
    errors.push(
      'compose: pgbouncer: POOL_MODE must be transaction (session mode gives every pool connection a server connection of its own)',
    );
  const maxClients = Number(setting('max_client_conn') ?? 100);
  if (maxClients < replicas * poolMax)
    errors.push(
      `compose: pgbouncer: MAX_CLIENT_CONN ${maxClients} is below ${replicas} api replicas × DB_POOL_MAX ${poolMax} = ${replicas * poolMax}`,
    );
  if (!(Number(setting('query_timeout') ?? 0) > 0))
    errors.push(
      'compose: pgbouncer: set QUERY_TIMEOUT (the statement timeout of pooled connections: PgBouncer refuses a statement_timeout startup parameter)',
    );
  const backend =
    env.DB_HOST ?? env.POSTGRESQL_HOST ?? endpoint(env.DATABASE_URL)?.host ?? (ini && 'postgres');
  if (backend !== 'postgres')
    errors.push(
      `compose: pgbouncer: must pool connections to postgres (not ${backend ?? 'unset'})`,
    );
  if (!dependsOn(pgbouncer, 'postgres')) errors.push('compose: pgbouncer must depend on postgres');
  return errors;
}

function validateCompose(file: string): string[] {
  const errors: string[] = [];
  const imageErrors: string[] = [];
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) return doc.errors.map((e) => `${file}: YAML: ${e.message}`);
  const compose = doc.toJS();
  const services = compose.services ?? {};
  for (const name of ['postgres', 'migrator', 'pgbouncer', 'api'])
    if (!services[name]) errors.push(`compose: no service ${name}`);
  const { migrator, pgbouncer, api } = services;
  if (api && api.depends_on?.migrator?.condition !== 'service_completed_successfully') {
    errors.push(
      'compose: api must depend on migrator with condition service_completed_successfully',
    );
  }
  if (migrator && migrator.depends_on?.postgres?.condition !== 'service_healthy')
    errors.push('compose: migrator must wait for postgres to be service_healthy');
  if (migrator && !String(migrator.command?.[0] ?? '').startsWith('up'))
    errors.push('compose: the migrator service must run "up"');

  // The images compose builds: their Dockerfile stages (and whether they have a HEALTHCHECK).
  const imageHealthchecks = new Set<string>();
  const unreadImages = new Set<string>();
  for (const [name, service] of Object.entries<Manifest>(services)) {
    if (!service.build) continue;
    unreadImages.add(name);
    const context = resolve(dirname(file), service.build.context ?? '.');
    const dockerfile = join(context, service.build.dockerfile ?? 'Dockerfile');
    if (!existsSync(dockerfile)) {
      imageErrors.push(`compose: ${name}: no Dockerfile ${relative(process.cwd(), dockerfile)}`);
      continue;
    }
    const stages = dockerStages(readFileSync(dockerfile, 'utf8'));
    const target = service.build.target;
    if (target && !stages.some((s) => s.name === target)) {
      imageErrors.push(
        `compose: ${name}: ${relative(process.cwd(), dockerfile)} has no stage ${target}`,
      );
      continue;
    }
    const chain = target ? stageChain(stages, target) : stages.slice(-1);
    const instructions = chain.flatMap((s) => s.lines);
    unreadImages.delete(name);
    if (instructions.some((l) => /^HEALTHCHECK\s+(?!NONE\b)/i.test(l))) imageHealthchecks.add(name);
    const user = instructions.filter((l) => /^USER\s/i.test(l)).at(-1);
    if (!user || /^USER\s+(root|0)(:|\s|$)/i.test(user))
      imageErrors.push(`Dockerfile ${target ?? ''}: the image must end as a non-root USER`);
    if (!instructions.some((l) => /npm ci\b.*--omit=dev/.test(l)))
      imageErrors.push(
        `Dockerfile ${target ?? ''}: the image's node_modules must come from npm ci --omit=dev`,
      );
    if (!instructions.some((l) => /^(CMD|ENTRYPOINT)\s/i.test(l)))
      imageErrors.push(`Dockerfile ${target ?? ''}: no CMD/ENTRYPOINT`);
    // The API serves the console's build from next to its own (apps/api/src/console.ts).
    if (name === 'api' && !instructions.some((l) => /^COPY\s.*dist\/apps\/console/i.test(l)))
      imageErrors.push(`Dockerfile ${target ?? ''}: the api image must contain dist/apps/console`);
  }

  // Waiting for service_healthy needs a healthcheck: the compose file's, or the image's.
  const waited = new Set(
    Object.values<Manifest>(services).flatMap((s) =>
      Object.keys(services).filter((n) => dependsOn(s, n) === 'service_healthy'),
    ),
  );
  for (const name of waited)
    if (!services[name].healthcheck && !imageHealthchecks.has(name) && !unreadImages.has(name))
      errors.push(`compose: ${name} needs a healthcheck for service_healthy`);
  for (const [name, service] of Object.entries<Manifest>(services))
    for (const mount of bindMounts(service, file))
      if (!existsSync(mount.source))
        errors.push(
          `compose: ${name}: bind mount ${relative(dirname(file), mount.source)} does not exist`,
        );

  if (api) {
    const env = composeEnv(api);
    const replicas = Number(api.deploy?.replicas ?? api.scale ?? 1);
    if (replicas < 2)
      errors.push(`compose: api runs ${replicas} replica: set deploy.replicas (at least 2)`);
    if (replicas > 1 && api.container_name)
      errors.push('compose: api: no container_name with several replicas (it must be unique)');
    for (const port of publishedPorts(api))
      if (port.count !== 'any' && port.count < replicas)
        errors.push(
          `compose: api: ports ${port.spec} has ${port.count} host port(s) for ${replicas} replicas: publish a range, or publish a proxy in front`,
        );
    const proxies = Object.entries<Manifest>(services).filter(
      ([name, s]) => name !== 'api' && dependsOn(s, 'api'),
    );
    if (publishedPorts(api).length === 0 && !proxies.some(([, s]) => publishedPorts(s).length > 0))
      errors.push(
        'compose: nothing publishes the api replicas: a proxy that depends on api and publishes a port, or a port range',
      );
    const apiPort = Number(env.PORT ?? 3000);
    for (const [name, proxy] of proxies)
      if (
        /^(docker\.io\/)?(library\/|nginxinc\/)?nginx(-unprivileged)?[:@]/.test(String(proxy.image))
      )
        errors.push(...nginxErrors(name, proxy, file, apiPort));

    // Pools through PgBouncer, LISTEN straight to postgres.
    const pooled = endpoint(env.DATABASE_URL)?.host;
    if (pooled !== 'pgbouncer')
      errors.push(
        `compose: api: DATABASE_URL must go through pgbouncer (host pgbouncer, not ${pooled ?? 'unset'})`,
      );
    const direct = endpoint(env.DATABASE_DIRECT_URL)?.host;
    if (direct !== 'postgres')
      errors.push(
        `compose: api: DATABASE_DIRECT_URL must reach postgres directly (each replica's LISTEN connection), not ${direct ?? 'unset'}`,
      );
    if (!dependsOn(api, 'pgbouncer')) errors.push('compose: api must depend on pgbouncer');
    if (pgbouncer)
      errors.push(
        ...pgbouncerComposeErrors(pgbouncer, file, replicas, Number(env.DB_POOL_MAX ?? 20)),
      );
  }
  if (migrator) {
    const env = composeEnv(migrator);
    const host = endpoint(env.DATABASE_DIRECT_URL || env.DATABASE_URL)?.host;
    if (host !== 'postgres')
      errors.push(
        `compose: migrator must connect to postgres directly (not ${host ?? 'unset'}): its session-level advisory lock and DDL cannot go through a transaction-mode pooler`,
      );
  }
  return [...errors, ...imageErrors];
}

/** Every check over a docker/ directory. */
export function validateManifests(dockerDir: string): { errors: string[]; objects: number } {
  const k8s = validateKubernetes(join(dockerDir, 'k8s'));
  return {
    errors: [...k8s.errors, ...validateCompose(join(dockerDir, 'docker-compose.yml'))],
    objects: k8s.count,
  };
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? join(__dirname, '..', 'docker'));
  const { errors, objects } = validateManifests(dir);
  if (errors.length > 0) {
    for (const error of errors) process.stderr.write(`validate-manifests: ${error}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `validate-manifests: ${objects} Kubernetes objects, the compose file and the Dockerfile are valid\n`,
  );
}
