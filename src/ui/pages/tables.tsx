// Placeholder until the page is written.
export function CardsTablePage({ view }: { view: 'recent' | 'all' | 'trends' }) {
  return <p>CardsTablePage</p>;
}
export function CasesTablePage() {
  return <p>CasesTablePage</p>;
}
