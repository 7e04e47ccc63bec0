import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import './styles.css';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // The change feed refetches what changed; no refetch just because the window got focus.
      refetchOnWindowFocus: false,
      staleTime: 10_000,
      retry: (count, err) => count < 2 && !('status' in err && (err as { status: number }).status < 500),
    },
  },
});

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={client}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
