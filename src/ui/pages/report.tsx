// Placeholder until the page is written.
export function ReportPage({ kind }: { kind: 'recent' | 'all' | 'trends' }) {
  return <p>ReportPage</p>;
}
