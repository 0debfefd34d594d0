/** Placeholder until the page is built. */
export function MetricsPage() {
  return <h1>Metrics</h1>;
}
