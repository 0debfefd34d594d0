// Offline checks of docker/: every Kubernetes manifest against the Kubernetes OpenAPI schema
// (the `kubernetes-models` package ships it as compiled validators), unknown fields included,
// the rules our rollout depends on (Job retry policy, probes, references between objects), and
// the compose file and Dockerfile they build on. No cluster, no Docker engine needed.
//   npm run validate:manifests [-- docker-dir]     exit 0 when everything holds, 1 otherwise
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import YAML from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
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
        const secret = ref && all.find((o) => o.kind === 'Secret' && o.metadata?.name === ref.name);
        if (secret && !(ref.key in { ...secret.data, ...secret.stringData }))
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
  }

  if (object.kind === 'Deployment') {
    for (const c of containersOf(object)) {
      const ports = new Set((c.ports ?? []).flatMap((p: Manifest) => [p.name, p.containerPort]));
      for (const [probe, path] of [
        ['readinessProbe', '/health/ready'],
        ['livenessProbe', '/health/live'],
      ]) {
        const get = c[probe]?.httpGet;
        if (get?.path !== path) errors.push(`container ${c.name}: ${probe} must GET ${path}`);
        else if (!ports.has(get.port))
          errors.push(`container ${c.name}: ${probe} port ${get.port} is not a container port`);
      }
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
  for (const kind of ['Job', 'Deployment', 'Service', 'ConfigMap', 'Secret']) {
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

function validateCompose(file: string): string[] {
  const errors: string[] = [];
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) return doc.errors.map((e) => `${file}: YAML: ${e.message}`);
  const compose = doc.toJS();
  const services = compose.services ?? {};
  for (const name of ['postgres', 'migrator', 'api'])
    if (!services[name]) errors.push(`compose: no service ${name}`);
  const { postgres, migrator, api } = services;
  if (api && api.depends_on?.migrator?.condition !== 'service_completed_successfully') {
    errors.push(
      'compose: api must depend on migrator with condition service_completed_successfully',
    );
  }
  if (migrator && migrator.depends_on?.postgres?.condition !== 'service_healthy')
    errors.push('compose: migrator must wait for postgres to be service_healthy');
  if (postgres && !postgres.healthcheck)
    errors.push('compose: postgres needs a healthcheck for service_healthy');
  if (migrator && !String(migrator.command?.[0] ?? '').startsWith('up'))
    errors.push('compose: the migrator service must run "up"');
  for (const [name, service] of Object.entries<Manifest>(services)) {
    if (!service.build) continue;
    const context = resolve(dirname(file), service.build.context ?? '.');
    const dockerfile = join(context, service.build.dockerfile ?? 'Dockerfile');
    if (!existsSync(dockerfile)) {
      errors.push(`compose: ${name}: no Dockerfile ${relative(process.cwd(), dockerfile)}`);
      continue;
    }
    const stages = dockerStages(readFileSync(dockerfile, 'utf8'));
    const target = service.build.target;
    if (target && !stages.some((s) => s.name === target)) {
      errors.push(
        `compose: ${name}: ${relative(process.cwd(), dockerfile)} has no stage ${target}`,
      );
      continue;
    }
    const chain = target ? stageChain(stages, target) : stages.slice(-1);
    const instructions = chain.flatMap((s) => s.lines);
    const user = instructions.filter((l) => /^USER\s/i.test(l)).at(-1);
    if (!user || /^USER\s+(root|0)(:|\s|$)/i.test(user))
      errors.push(`Dockerfile ${target ?? ''}: the image must end as a non-root USER`);
    if (!instructions.some((l) => /npm ci\b.*--omit=dev/.test(l)))
      errors.push(
        `Dockerfile ${target ?? ''}: the image's node_modules must come from npm ci --omit=dev`,
      );
    if (!instructions.some((l) => /^(CMD|ENTRYPOINT)\s/i.test(l)))
      errors.push(`Dockerfile ${target ?? ''}: no CMD/ENTRYPOINT`);
    // The API serves the console's build from next to its own (apps/api/src/console.ts).
    if (name === 'api' && !instructions.some((l) => /^COPY\s.*dist\/apps\/console/i.test(l)))
      errors.push(`Dockerfile ${target ?? ''}: the api image must contain dist/apps/console`);
  }
  return errors;
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
