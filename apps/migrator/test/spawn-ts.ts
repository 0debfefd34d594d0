import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far */
  output(): { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
}

/** Runs one of the test entry points (a .ts file next to this one) in a new node process, compiled on load by SWC. */
export function spawnTs(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
): Spawned {
  const child = spawn(
    process.execPath,
    ['-r', join(__dirname, '../../../tools/register-ts.js'), join(__dirname, file), ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
    for (const w of waiters.filter((x) => stdout.includes(x.text))) w.resolve();
  });
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    waitForOutput(text, timeoutMs = 30_000) {
      if (stdout.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" from ${file} in ${timeoutMs} ms: ${stderr}`)),
          timeoutMs,
        );
        waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then(() =>
          reject(new Error(`${file} exited before printing "${text}": ${stderr}`)),
        );
      });
    },
  };
}
