import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, test } from 'vitest';
import { POST as createMailbox } from '@/app/api/v1/mailboxes/route';
import { POST as importMailboxes } from '@/app/api/v1/mailboxes/import/route';
import { callRoute } from '../helpers/api';
import { userWithKey } from '../helpers/fixtures';

const MB = 1024 * 1024;
let adminKey: string;

beforeAll(async () => {
  adminKey = (await userWithKey('limits-admin@example.org', 'admin')).key;
});

/** A body of `size` bytes, handed over 16 KB at a time, that counts how much the server pulled. */
function countingBody(size: number) {
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= size) return controller.close();
      counter.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

function post(path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  // Node's fetch wants a streamed body declared half-duplex; the RequestInit type does not name that option.
  return new NextRequest(new URL(path, 'http://127.0.0.1'), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as ConstructorParameters<typeof NextRequest>[1]);
}

describe('request bodies have limits', () => {
  test('an 8 MB body without a length is cut off just past 64 KB and answered 413 in the error shape', async () => {
    const { stream, counter } = countingBody(8 * MB);
    const response = await createMailbox(post('/api/v1/mailboxes', stream), { params: Promise.resolve({}) });
    expect(response.status).toBe(413);
    const body = await response.json();
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.message).toMatch(/64 KB/);
    expect(counter.pulled).toBeLessThan(128 * 1024);
  });

  test('a declared length over the limit is refused before anything is read', async () => {
    const { stream, counter } = countingBody(8 * MB);
    const response = await createMailbox(post('/api/v1/mailboxes', stream, { 'content-length': String(8 * MB) }), {
      params: Promise.resolve({}),
    });
    expect(response.status).toBe(413);
    expect(counter.pulled).toBeLessThanOrEqual(64 * 1024);
  });

  test('the CSV import takes files up to its own, larger limit', async () => {
    // About 70 KB: over the 64 KB of other endpoints.
    const localPart = (index: number) => `imported-mailbox-${index}-${'x'.repeat(40)}`;
    const domain = `${'department.'.repeat(14)}example.org`;
    const rows = ['address,ownerEmail', ...Array.from({ length: 300 }, (_, index) => `${localPart(index)}@${domain},limits-admin@example.org`)];
    expect(rows.join('\n').length).toBeGreaterThan(64 * 1024);
    const accepted = await callRoute(importMailboxes, {
      method: 'POST',
      path: '/api/v1/mailboxes/import',
      key: adminKey,
      body: { csv: rows.join('\n'), dryRun: true },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.json.jobId).toEqual(expect.any(String));

    const { stream } = countingBody(7 * MB);
    const refused = await importMailboxes(post('/api/v1/mailboxes/import', stream), { params: Promise.resolve({}) });
    expect(refused.status).toBe(413);
    expect((await refused.json()).error.message).toMatch(/6144 KB/);
  });

  test('unknown fields are refused by name, and nothing is created', async () => {
    const response = await callRoute(createMailbox, {
      method: 'POST',
      path: '/api/v1/mailboxes',
      key: adminKey,
      body: { address: 'typo@example.org', ownerEmail: 'limits-admin@example.org', profileID: 'x' },
    });
    expect(response.status).toBe(422);
    expect(Object.keys(response.json.error.fields)).toEqual(['profileID']);
  });
});
