// Issue 15, point 1 and acceptance 2: an API error carries the one problem shape, its hint included.
import { beforeAll, describe, expect, it } from 'vitest';
import * as testRoute from '@/app/api/v1/mailboxes/[id]/test/route';
import * as openApiRoute from '@/app/api/v1/openapi.json/route';
import * as testsRoute from '@/app/api/v1/mailboxes/[id]/tests/route';
import { callRoute } from '../helpers/api';
import { insertMailboxRow, insertProfile, userWithKey } from '../helpers/fixtures';

let admin: { key: string };
let mailboxId: string;

beforeAll(async () => {
  admin = await userWithKey('admin@example.org', 'admin');
  const owner = await userWithKey('owner@example.org', 'owner');
  const profile = await insertProfile();
  mailboxId = (await insertMailboxRow(owner.user, profile, { connection: 'not_connected', status: 'inactive' })).id;
});

describe('the API error body', () => {
  it('answers a test before connecting with 409 and the hint saying what to do next, starting no test', async () => {
    const { status, json } = await callRoute(testRoute.POST, {
      method: 'POST',
      path: `/api/v1/mailboxes/${mailboxId}/test`,
      key: admin.key,
      params: { id: mailboxId },
      body: { sendTestMessage: false },
    });
    expect(status).toBe(409);
    expect(json).toEqual({
      error: {
        code: 'CONFLICT',
        message: 'Connect the mailbox before testing it.',
        hint: expect.stringMatching(/connects the mailbox/),
      },
    });
    const tests = await callRoute(testsRoute.GET, { path: `/api/v1/mailboxes/${mailboxId}/tests`, key: admin.key, params: { id: mailboxId } });
    expect(tests.status).toBe(200);
    expect(tests.json.data).toEqual([]);
  });

  it('names the fields of invalid input in `fields`, beside code and message', async () => {
    const { status, json } = await callRoute(testRoute.POST, {
      method: 'POST',
      path: `/api/v1/mailboxes/${mailboxId}/test`,
      key: admin.key,
      params: { id: mailboxId },
      body: { sendTestMessage: 'yes' },
    });
    expect(status).toBe(422);
    expect(json.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.any(String), fields: { sendTestMessage: [expect.any(String)] } });
  });
});

describe('the OpenAPI document', () => {
  it('describes that error body, hint and fields included, for every error answer', async () => {
    const { status, json } = await callRoute(openApiRoute.GET, { path: '/api/v1/openapi.json' });
    expect(status).toBe(200);
    expect(Object.keys(json.components.schemas.Error.properties.error.properties).sort()).toEqual(['code', 'fields', 'hint', 'message']);
    const testPost = json.paths['/api/v1/mailboxes/{id}/test'].post;
    expect(testPost.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });
});
