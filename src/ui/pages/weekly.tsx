// Placeholder until the page is written.
export function WeeklyPage() {
  return <p>WeeklyPage</p>;
}
