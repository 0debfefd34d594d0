/** Placeholder until the page is built. */
export function ExecutionPage() {
  return <h1>Execution</h1>;
}
