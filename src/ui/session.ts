import { roleIncludes, type UserRole } from '../shared/vocabulary.js';
import { apiUrl, useApi } from './api.js';
import type { Me } from './types.js';

// Who is signed in, for the header and for the controls a role may not use.

export function useMe(): Me | undefined {
  return useApi<Me>(apiUrl('auth/me'), { staleTime: 60_000 }).data;
}

/** Undefined when the user may do what `need` allows, else why not (for a disabled control's title). */
export function deniedReason(me: Me | undefined, need: UserRole): string | undefined {
  if (!me?.user) return 'not signed in';
  return roleIncludes(me.user.role, need) ? undefined : `needs the ${need} role; you are ${me.user.role}`;
}
