// Placeholder: the cards table (facets, sort, paging in the URL, expandable rows) is being written.
export function CardsTable({ fixed }: { fixed: Record<string, string | string[]>; storageKey?: string }) {
  return <p>CardsTable {JSON.stringify(fixed)}</p>;
}
