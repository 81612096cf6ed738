import type { Actor } from './agencies-and-users';
import { type TestApp, uniq } from './test-app';

/**
 * A valid POST /api/v1/assessments body: NATIONAL, CONFIDENTIAL, AMBER, valid for a day, citing no
 * report; `overrides` replace whole fields (a distribution is always needed).
 */
export function assessmentBody(overrides: Record<string, unknown> & { distribution: unknown }): Record<string, any> {
  return {
    title: `Assessment ${uniq()}`,
    keyJudgements: ['Judgement'],
    body: 'Body',
    likelihood: 'LIKELY',
    recommendedLevel: 'SUBSTANTIAL',
    scope: 'NATIONAL',
    sectors: [],
    reportIds: [],
    classification: 'CONFIDENTIAL',
    compartments: [],
    tlp: 'AMBER',
    validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    ...overrides,
  };
}

/** Drafts `body` as `analyst`, submits it and has `supervisor` publish it; its id. Throws at the first refusal. */
export async function publishAssessment(t: TestApp, analyst: Actor, supervisor: Actor, body: Record<string, unknown>): Promise<string> {
  const draft = await t.post('/api/v1/assessments', { token: analyst.token, body });
  if (draft.status !== 201) throw new Error(`draft → ${draft.status} ${draft.text}`);
  const id = draft.body.id as string;
  const submitted = await t.post(`/api/v1/assessments/${id}/submit`, { token: analyst.token });
  if (submitted.status !== 200) throw new Error(`submit → ${submitted.status} ${submitted.text}`);
  const published = await t.post(`/api/v1/assessments/${id}/publish`, { token: supervisor.token });
  if (published.status !== 200) throw new Error(`publish → ${published.status} ${published.text}`);
  return id;
}
