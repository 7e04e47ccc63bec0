import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

// PGlite has no postmaster.pid: two processes opening one data directory both "work" and silently
// lose committed rows (measured: 226 of 2000 rows gone). This lock makes the second process
// refuse to start instead.

export class DataDirLockedError extends Error {
  constructor(dir: string, holder: string) {
    super(
      `The embedded database in ${dir} is in use by another t5g process (${holder}). ` +
        'PGlite cannot be shared between processes: stop the other process, point DATA_DIR elsewhere, ' +
        'or run every process against PostgreSQL with DATABASE_URL.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 't5g.lock');
  const me = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  // Two attempts: the second only after removing a lock whose process is gone.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, me, { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(file, 'utf8') === me) unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once('exit', release);
      return { file, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && isAlive(holder)) {
        throw new DataDirLockedError(dir, `pid ${holder.pid} on ${holder.host} since ${holder.since}`);
      }
      // Stale lock from a crashed process on this host.
      try {
        unlinkSync(file);
      } catch {
        // Someone else removed it first; the next `wx` attempt decides who wins.
      }
    }
  }
  throw new DataDirLockedError(dir, 'another process took the lock at the same moment');
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function readHolder(file: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder): boolean {
  // A lock from another host cannot be checked; treat it as held.
  if (holder.host !== hostname()) return true;
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
