import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '../../..');

/** `npm run validate:manifests` (without its typecheck) on a docker/ directory. */
async function validate(
  dockerDir: string,
): Promise<{ code: number; stdout: string; errors: string[] }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [
      '-r',
      join(root, 'tools/register-ts.js'),
      join(root, 'tools/validate-manifests.ts'),
      dockerDir,
    ]);
    return { code: 0, stdout, errors: [] };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return {
      code,
      stdout,
      errors: stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^validate-manifests: /, '')),
    };
  }
}

describe('docker/ manifests (offline validation)', () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'agenthub-manifests-'));
    await cp(join(root, 'docker'), join(copy, 'docker'), { recursive: true });
  });
  afterAll(() => rm(copy, { recursive: true, force: true }));

  async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
    const path = join(copy, 'docker', file);
    const text = await readFile(path, 'utf8');
    const edited = text.replace(from, to);
    expect(edited).not.toBe(text);
    await writeFile(path, edited);
  }

  it('accepts the manifests, compose file and Dockerfile of this repository', async () => {
    expect(await validate(join(root, 'docker'))).toEqual({
      code: 0,
      stdout:
        'validate-manifests: 12 Kubernetes objects, the compose file and the Dockerfile are valid\n',
      errors: [],
    });
  });

  it('rejects schema errors, misspelt fields, broken references and every rule the rollout relies on', async () => {
    await edit('k8s/migrator-job.yaml', 'backoffLimit: 3', 'backofLimit: 3');
    await edit('k8s/migrator-job.yaml', 'restartPolicy: Never', 'restartPolicy: OnFailure');
    await edit('k8s/migrator-job.yaml', 'values: [2]', 'values: [3]');
    await edit('k8s/api-service.yaml', 'port: 80', 'port: eighty');
    await edit('k8s/api-deployment.yaml', 'path: /health/ready', 'path: /health/live');
    await edit('k8s/api-deployment.yaml', 'name: agenthub-secrets', 'name: agenthub-secret');
    await edit(
      'docker-compose.yml',
      'condition: service_completed_successfully',
      'condition: service_started',
    );
    await edit(
      'Dockerfile',
      /FROM runtime AS api([\s\S]*?)USER node/,
      'FROM runtime AS api$1USER root',
    );
    const { code, errors } = await validate(join(copy, 'docker'));
    expect(code).toBe(1);
    expect(errors).toEqual([
      expect.stringContaining('Deployment/agenthub-api: container api: no Secret agenthub-secret'),
      expect.stringContaining(
        'Deployment/agenthub-api: container api: readinessProbe must GET /health/ready',
      ),
      expect.stringMatching(/Service\/agenthub-api: schema: .*port/),
      expect.stringContaining('Job/agenthub-migrate-0-1-0: unknown field spec.backofLimit'),
      expect.stringContaining('Job: template.spec.restartPolicy must be Never'),
      expect.stringContaining('Job: spec.backoffLimit must be set'),
      expect.stringContaining('Job: spec.podFailurePolicy must FailJob on exit code 2'),
      'compose: api must depend on migrator with condition service_completed_successfully',
      'Dockerfile api: the image must end as a non-root USER',
    ]);
  });
});
