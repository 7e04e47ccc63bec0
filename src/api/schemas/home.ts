import { dateTime, int, nstr, obj, str } from './common.js';

export const statusCountsSchema = obj({
  total: int,
  counts: { type: 'array', items: obj({ status: str, count: int }) },
});

export const newCasesSchema = obj({
  days: int,
  items: {
    type: 'array',
    items: obj({
      caseNumber: str,
      caseUrl: str,
      createdDate: dateTime,
      severity: str,
      severityOrder: int,
      account: str,
      summary: str,
      status: str,
      jiraKey: nstr,
      jiraUrl: nstr,
    }),
  },
});
