// Placeholder until the page is written.
export function SearchPage() {
  return <p>SearchPage</p>;
}
