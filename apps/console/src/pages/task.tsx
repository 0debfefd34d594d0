/** Placeholder until the page is built. */
export function TaskPage() {
  return <h1>Task</h1>;
}
