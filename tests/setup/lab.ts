// Vitest globalSetup: one mail lab for the whole run, described to the test workers through provide/inject.
import type { TestProject } from 'vitest/node';
import type { LabInfo, LabUnavailable } from '../../scripts/lab/lab-info';
import { Lab, LabUnavailableError } from '../../scripts/lab/start-lab';

declare module 'vitest' {
  // Vitest types provide/inject through declaration merging, which only an interface allows.
  export interface ProvidedContext {
    lab: LabInfo | LabUnavailable;
  }
}

type StartedLab = { info: LabInfo | LabUnavailable; stop: () => Promise<void> };
type SharedLab = { started: Promise<StartedLab>; projects: number };

// Vitest runs a globalSetup once per project, each time in a fresh module graph of the same main
// process: the lab hangs on globalThis so that every project of the run shares one.
const SHARED_LAB_KEY = Symbol.for('mailroom.mail-lab');
const sharedState = globalThis as unknown as Record<symbol, SharedLab | undefined>;

async function startOrExplain(): Promise<StartedLab> {
  try {
    const lab = await Lab.start();
    return { info: lab.info, stop: () => lab.stop() };
  } catch (error) {
    if (!(error instanceof LabUnavailableError) || process.env.MAILROOM_REQUIRE_LAB === '1') throw error;
    console.warn(`Mail lab tests are skipped. ${error.message}. Set MAILROOM_REQUIRE_LAB=1 to make this a failure.`);
    return { info: { available: false, reason: error.message }, stop: async () => {} };
  }
}

export default async function setupLab(project: TestProject): Promise<() => Promise<void>> {
  const shared = (sharedState[SHARED_LAB_KEY] ??= { started: startOrExplain(), projects: 0 });
  shared.projects += 1;
  const lab = await shared.started.catch((error: unknown) => {
    sharedState[SHARED_LAB_KEY] = undefined;
    throw error;
  });
  project.provide('lab', lab.info);
  return async () => {
    shared.projects -= 1;
    if (shared.projects > 0) return;
    sharedState[SHARED_LAB_KEY] = undefined;
    await lab.stop();
  };
}
