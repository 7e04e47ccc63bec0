// Placeholder until the page is written.
export function StatsPage() {
  return <p>StatsPage</p>;
}
