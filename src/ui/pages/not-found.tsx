import { PageTitle } from '../components/layout.js';
import { Link, useLocation } from '../router.js';

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <section>
      <PageTitle title="not found">Page not found</PageTitle>
      <p>
        There is no page at <code>{pathname}</code>. <Link to="/home">Go to the home page</Link>.
      </p>
    </section>
  );
}
