/** Placeholder until the page is built. */
export function QueuePage() {
  return <h1>Queue</h1>;
}
