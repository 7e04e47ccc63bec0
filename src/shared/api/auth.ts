import { z } from 'zod';
import { USER_ROLES } from '../vocabulary.js';
import { dateTime, int, listOf, nstr, str, strings, type Wire } from './common.js';

// Sign-in, users, personal API tokens and the audit log.

const role = z.enum(USER_ROLES);

/** Who is asking: the header's name and role, the CSRF token for writes, and how sign-in stands. */
export const meSchema = z.strictObject({
  mode: z.enum(['none', 'oidc', 'saml']),
  user: z.strictObject({ id: str, name: str, email: nstr, role }).nullable(),
  /** `session`: a signed-in browser; `token`: an API token; `none`: sign-in is off (everyone is admin). */
  via: z.enum(['session', 'token', 'none']).nullable(),
  /** Send it as `X-CSRF-Token` with every POST/DELETE of a signed-in browser. */
  csrfToken: nstr,
  /** False while the identity provider cannot be reached; `problem` says why. */
  signIn: z.strictObject({ available: z.boolean(), problem: nstr }),
  contact: nstr,
});

export const userSchema = z.strictObject({
  id: str,
  name: str,
  email: nstr,
  groups: strings,
  role: role.nullable(),
  firstLoginAt: dateTime,
  lastLoginAt: dateTime,
});
export const userListSchema = listOf(userSchema);

export const apiTokenSchema = z.strictObject({
  id: str,
  userId: str,
  name: str,
  role,
  createdBy: str,
  createdAt: dateTime,
  expiresAt: dateTime,
  lastUsedAt: dateTime.nullable(),
  revokedAt: dateTime.nullable(),
});
export const apiTokenListSchema = listOf(apiTokenSchema);
/** The token itself is in this answer only; t5g keeps its hash. */
export const createdApiTokenSchema = apiTokenSchema.extend({ token: str });

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role,
  expiresInDays: z.int().min(1).max(366).default(90),
});
export const createTokenForBody = createTokenBody.extend({ userId: z.string().min(1).max(300) });

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const tokenParams = z.object({ id: z.string().max(36).regex(UUID) });

export const auditEntrySchema = z.strictObject({
  id: int,
  at: dateTime,
  actor: nstr,
  action: str,
  target: nstr,
  ip: nstr,
  detail: z.record(z.string(), z.unknown()),
});
export const auditListSchema = listOf(auditEntrySchema);
export const auditQuery = z.strictObject({
  limit: z.int().min(1).max(500).default(100),
  // An audit row id; the bound keeps it a plain integer the database takes.
  before: z
    .int()
    .min(1)
    .max(2 ** 52)
    .optional(),
  action: z.string().max(100).optional(),
});

/** Where the browser goes after signing out (the identity provider's logout, or the signed-out page). */
export const logoutSchema = z.strictObject({ redirect: str });

export type Me = Wire<typeof meSchema>;
export type UserItem = Wire<typeof userSchema>;
export type UserList = Wire<typeof userListSchema>;
export type ApiToken = Wire<typeof apiTokenSchema>;
export type ApiTokenList = Wire<typeof apiTokenListSchema>;
export type CreatedApiToken = Wire<typeof createdApiTokenSchema>;
export type AuditList = Wire<typeof auditListSchema>;
export type Logout = Wire<typeof logoutSchema>;
