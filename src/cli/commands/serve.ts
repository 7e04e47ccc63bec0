import { buildApp } from '../../api/app.js';
import { boot, onShutdown } from '../boot.js';

/**
 * `t5g start` runs everything in one process (the embedded default); `t5g web` only the HTTP app.
 * With PGlite only one process may open DATA_DIR, so split web/worker processes need DATABASE_URL.
 */
export async function serveCommand(mode: 'start' | 'web'): Promise<void> {
  const rt = await boot(mode);
  const app = await buildApp(rt);
  await app.listen({ port: rt.config.server.port, host: rt.config.server.host });
  rt.logger.info(
    {
      url: `http://localhost:${rt.config.server.port}`,
      database: rt.store.db.kind,
      cache: rt.store.cache.backend,
    },
    't5g is listening',
  );
  onShutdown(rt.logger, async () => {
    await app.close();
    await rt.close();
  });
}
