import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new numbered SQL migration into drizzle/ from src/store/schema.ts.
// It needs no database; the migrations are applied at start-up and by `t5g migrate`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './drizzle',
});
