/**
 * Names and ids the simulated upstreams use. A demo configuration of the app must match these
 * (project key, labels, board, sprint prefix, custom field ids, Slack channels), so they are
 * exported as one object instead of being scattered through the generator.
 */

/** Custom field ids as Red Hat's Jira Cloud uses them. */
const CLOUD_FIELDS = {
  sfdcCaseLinks: 'customfield_10979',
  contributors: 'customfield_10466',
  qaContact: 'customfield_10470',
  severity: 'customfield_10840',
  privateKeywords: 'customfield_11087',
  internalWhiteboard: 'customfield_11004',
  releaseNoteText: 'customfield_10783',
  sprint: 'customfield_10020',
  storyPoints: 'customfield_10028',
} as const;

/**
 * The same fields on the Data Center flavor. The first five ids are Red Hat's real DC ids;
 * Private Keywords, Internal Whiteboard, Release Note Text and Sprint have no documented DC id, so
 * the simulator invents plausible ones (only the simulator and a DC demo config use them).
 */
const DC_FIELDS = {
  sfdcCaseLinks: 'customfield_12313441',
  contributors: 'customfield_12315950',
  qaContact: 'customfield_12315948',
  severity: 'customfield_12316142',
  storyPoints: 'customfield_12310243',
  privateKeywords: 'customfield_12318341',
  internalWhiteboard: 'customfield_12316843',
  releaseNoteText: 'customfield_12317313',
  sprint: 'customfield_12310940',
} as const;

export type CustomFieldName = keyof typeof CLOUD_FIELDS;

export const SIM_DEFAULTS = {
  /** Solr query that selects the team's cases (most generated cases carry this tag). */
  caseQuery: 'case_tags:*shift_telco5g*',
  caseTag: 'shift_telco5g',
  /** The team's card project and the label that marks team cards. */
  jiraProject: 'KNIECO',
  jiraProjectId: '10810',
  jiraProjectName: 'KNI Ecosystem',
  cardLabel: 'field',
  cardComponent: 'KNI Labs & Field',
  cardIssueType: 'Story',
  /** Card labels the dashboard gives a meaning to: the Trends report, potential escalations, Daily Telco. */
  trendsLabel: 'Trends',
  potentialEscalationLabel: 'PotentialEscalation',
  dailyTelcoLabel: 'Daily_Telco_OCP',
  escalationsProject: 'RHOCPPRIO',
  escalationsLabel: 'Telco5g',
  boardName: 'KNI-ECO Labs & Field',
  boardId: 1234,
  sprintNamePrefix: 'T5GFE Sprint',
  /** Transition id the original hard-codes for reopening a card ("11" leads to To Do). */
  reopenTransitionId: '11',
  customFields: { cloud: CLOUD_FIELDS, dc: DC_FIELDS },
  slack: {
    highSeverityChannel: 't5g-high-severity',
    lowSeverityChannel: 't5g-low-severity',
    alertsChannel: 't5g-alerts',
  },
  /** Solr window cap: `start + rows` may not go past this. */
  portalResultCap: 9999,
  /** Search results embed at most this many comments in `fields.comment`. */
  jiraEmbeddedComments: 20,
  bugzillaMaxIds: 500,
  /** Hosts used in links that point at the real services (case URLs, Bugzilla show_bug links). */
  portalCaseUrl: 'https://access.redhat.com/support/cases/',
  bugzillaShowBugUrl: 'https://bugzilla.redhat.com/show_bug.cgi?id=',
} as const;

export type JiraFlavor = 'cloud' | 'dc';

export function customFieldId(flavor: JiraFlavor, name: CustomFieldName): string {
  return SIM_DEFAULTS.customFields[flavor][name];
}

/** The upstreams the simulator speaks for; used as counter and fault keys. */
export const UPSTREAMS = ['sso', 'portal', 'jira', 'bugzilla', 'slack', 'smtp'] as const;
export type Upstream = (typeof UPSTREAMS)[number];
