// Placeholder until the page is written.
export function AccountPage({ name }: { name: string }) {
  return <p>AccountPage</p>;
}
export function AccountsPage() {
  return <p>AccountsPage</p>;
}
export function EngineerPage({ name }: { name: string }) {
  return <p>EngineerPage</p>;
}
export function EngineersPage() {
  return <p>EngineersPage</p>;
}
