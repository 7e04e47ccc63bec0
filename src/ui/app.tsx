import { lazy, type ReactNode, Suspense } from 'react';
import { Layout, Loading } from './components/layout.js';
import { useLiveUpdates } from './live.js';
import { AccessPage } from './pages/access.js';
import { CardDetailPage, CaseDetailPage } from './pages/detail.js';
import { NotFoundPage } from './pages/not-found.js';
import { ReportPage } from './pages/report.js';
import { SearchPage } from './pages/search.js';
import { SyncPage } from './pages/sync.js';
import { CardsTablePage, CasesTablePage } from './pages/tables.js';
import { WeeklyPage } from './pages/weekly.js';
import { navigate, useLocation } from './router.js';

// Every page of the original at its original path (so old bookmarks keep working), plus the new
// ones: accounts and engineers lists, case/card detail, search, the cases table.

// The pages with charts load ECharts; they come in their own chunk, so the tables start faster.
const HomePage = lazy(() => import('./pages/home.js').then((m) => ({ default: m.HomePage })));
const StatsPage = lazy(() => import('./pages/stats.js').then((m) => ({ default: m.StatsPage })));
const AccountPage = lazy(() => import('./pages/people.js').then((m) => ({ default: m.AccountPage })));
const AccountsPage = lazy(() => import('./pages/people.js').then((m) => ({ default: m.AccountsPage })));
const EngineerPage = lazy(() => import('./pages/people.js').then((m) => ({ default: m.EngineerPage })));
const EngineersPage = lazy(() => import('./pages/people.js').then((m) => ({ default: m.EngineersPage })));

type Route = [RegExp, (m: string[]) => ReactNode];

const decode = (s: string | undefined) => decodeURIComponent(s ?? '');

const ROUTES: Route[] = [
  [/^\/home\/?$/, () => <HomePage />],
  [/^\/table\/?$/, () => <CardsTablePage view="recent" />],
  [/^\/table\/all\/?$/, () => <CardsTablePage view="all" />],
  [/^\/table\/trends\/?$/, () => <CardsTablePage view="trends" />],
  [/^\/cases\/?$/, () => <CasesTablePage />],
  [/^\/updates\/?$/, () => <ReportPage kind="recent" />],
  [/^\/updates\/all\/?$/, () => <ReportPage kind="all" />],
  [/^\/trends\/?$/, () => <ReportPage kind="trends" />],
  [/^\/weekly\/?$/, () => <WeeklyPage />],
  [/^\/stats\/?$/, () => <StatsPage />],
  [/^\/accounts\/?$/, () => <AccountsPage />],
  [/^\/account\/(.+)$/, (m) => <AccountPage name={decode(m[1])} />],
  [/^\/engineers\/?$/, () => <EngineersPage />],
  [/^\/engineer\/(.+)$/, (m) => <EngineerPage name={decode(m[1])} />],
  [/^\/case\/([^/]+)\/?$/, (m) => <CaseDetailPage caseNumber={decode(m[1])} />],
  [/^\/card\/([^/]+)\/?$/, (m) => <CardDetailPage cardKey={decode(m[1])} />],
  [/^\/search\/?$/, () => <SearchPage />],
  [/^\/sync\/?$/, () => <SyncPage />],
  [/^\/access\/?$/, () => <AccessPage />],
];

/** The original's deprecated aliases all showed the home page. */
const HOME_ALIASES = /^\/(|updates\/(telco5g|cnv)(\/all)?(\/severity)?\/?|stats\/(telco5g|cnv)\/?)$/;

export function App() {
  const { pathname } = useLocation();
  const live = useLiveUpdates();
  if (HOME_ALIASES.test(pathname)) {
    navigate('/home', { replace: true });
    return null;
  }
  let page: ReactNode = <NotFoundPage />;
  for (const [re, render] of ROUTES) {
    const m = re.exec(pathname);
    if (m) {
      page = render([...m]);
      break;
    }
  }
  return (
    <Layout live={live.state}>
      {/* Remount per path: page state (expanded rows, scroll) belongs to one page. */}
      <div key={pathname}>
        <Suspense fallback={<Loading />}>{page}</Suspense>
      </div>
    </Layout>
  );
}
