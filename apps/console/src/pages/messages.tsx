/** Placeholder until the page is built. */
export function MessagesPage() {
  return <h1>Messages</h1>;
}
