// Placeholder until the page is written.
export function CardDetailPage({ cardKey }: { cardKey: string }) {
  return <p>CardDetailPage</p>;
}
export function CaseDetailPage({ caseNumber }: { caseNumber: string }) {
  return <p>CaseDetailPage</p>;
}
