// Runs on every machine: what the test setup does where Dovecot is missing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestProject } from 'vitest/node';
import setupLab from '../setup/lab';

const INSTALL_HINT = 'apt-get install dovecot-imapd dovecot-pop3d dovecot-submissiond';

function projectCollectingProvided(): { project: TestProject; provided: Map<string, unknown> } {
  const provided = new Map<string, unknown>();
  const project = { provide: (key: string, value: unknown) => provided.set(key, value) } as unknown as TestProject;
  return { project, provided };
}

describe('the lab setup on a machine without Dovecot', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('skips: provides no lab but the install hint, and prints it', async () => {
    vi.stubEnv('MAILROOM_LAB_DOVECOT', '/nonexistent/dovecot');
    vi.stubEnv('MAILROOM_REQUIRE_LAB', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { project, provided } = projectCollectingProvided();

    const teardown = await setupLab(project);
    await teardown();

    expect(provided.get('lab')).toEqual({ available: false, reason: expect.stringContaining(INSTALL_HINT) });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(INSTALL_HINT));
  });

  it('fails with the same hint when MAILROOM_REQUIRE_LAB=1', async () => {
    vi.stubEnv('MAILROOM_LAB_DOVECOT', '/nonexistent/dovecot');
    vi.stubEnv('MAILROOM_REQUIRE_LAB', '1');
    const { project } = projectCollectingProvided();

    await expect(setupLab(project)).rejects.toThrow(INSTALL_HINT);
  });
});
