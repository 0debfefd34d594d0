/**
 * Polls `check` every 50 ms until it holds, or fails the test after `timeoutMs`: for what the
 * product promises within a bound (an event pushed to a stream, a revocation reaching
 * another API process), never for what must hold at once.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
