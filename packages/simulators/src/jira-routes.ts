/** All Jira routes under /jira: search, issues, agile. */
import { RouteTable } from './http.js';
import { addJiraAgileRoutes } from './jira-agile-routes.js';
import { JIRA_PREFIX } from './jira-common.js';
import { addJiraIssueRoutes } from './jira-issue-routes.js';
import { addJiraSearchRoutes } from './jira-search-routes.js';

export function jiraRoutes(): RouteTable {
  const routes = new RouteTable('jira', JIRA_PREFIX);
  addJiraSearchRoutes(routes);
  addJiraIssueRoutes(routes);
  addJiraAgileRoutes(routes);
  return routes;
}
