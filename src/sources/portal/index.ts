export { type CaseSearchStats, PORTAL_SEARCH_OVERLAP_MS } from './case-search.js';
export {
  type CaseDetailResult,
  type CaseExtra,
  type CaseExtras,
  type CaseExtrasResult,
  type CaseSearchOptions,
  type CaseSearchResult,
  createPortalClient,
  type PortalClient,
} from './client.js';
export type {
  CaseJiraLink,
  NotifiedUser,
  PortalBugLink,
  PortalCase,
  PortalCaseDetail,
  PortalComment,
  SeverityNumber,
} from './schemas.js';
