/** Placeholder until the page is built. */
export function AuditPage() {
  return <h1>Audit</h1>;
}
