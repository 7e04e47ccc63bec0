// Placeholder until the page is written.
export function HomePage() {
  return <p>HomePage</p>;
}
