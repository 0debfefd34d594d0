/** Placeholder until the page is built. */
export function FleetPage() {
  return <h1>Fleet</h1>;
}
