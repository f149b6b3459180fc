import { classifyFailure, type FailureEvidence, type FailureStage } from './classify-failure';
import type { CheckContext, StepName, TestFailure } from './types';

/** A failed step: its classified failure travels up to the direction's verdict. */
export class StepFailure extends Error {
  constructor(readonly failure: TestFailure) {
    super(failure.message);
    this.name = 'StepFailure';
  }
}

/** Removes every secret the test has handled, in clear and in base64, from text shown to people. */
export function redact(text: string, secrets: ReadonlySet<string>): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')]) clean = clean.split(form).join('[hidden]');
  }
  return clean;
}

type ErrorFacts = { code?: unknown; response?: unknown; reply?: unknown; challenge?: unknown; oauthError?: unknown; message?: unknown };

/** The server's own words, kept raw in the step detail. */
function replyOf(error: unknown): string | undefined {
  const facts = (error ?? {}) as ErrorFacts;
  for (const value of [facts.reply, facts.response]) if (typeof value === 'string' && value) return value;
  return undefined;
}

export type StepOptions = {
  name: StepName;
  stage: FailureStage;
  protocol: FailureEvidence['protocol'];
  context: CheckContext & { secrets: Set<string>; freshToken?: boolean };
  /** Adds what only this step knows to the evidence (a missing mechanism, a token failure). */
  evidence?: (error: unknown) => Partial<FailureEvidence>;
};

/**
 * Runs one step under the profile's timeout, records it (outcome, duration, detail) as soon as it
 * ends, and turns a failure into a classified StepFailure. Details never carry secrets.
 */
export async function runStep<T>(options: StepOptions, work: () => Promise<{ value: T; detail: string }>): Promise<T> {
  const { context } = options;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`No answer within ${context.timeoutMs / 1000} seconds.`), { code: 'ETIMEDOUT' })),
      context.timeoutMs,
    );
  });
  try {
    const { value, detail } = await Promise.race([work(), deadline]);
    await context.recordStep({ name: `tester.steps.${options.name}`, ok: true, durationMs: Math.round(performance.now() - started), detail: redact(detail, context.secrets) });
    return value;
  } catch (error) {
    const facts = (error ?? {}) as ErrorFacts;
    const reply = replyOf(error);
    const challenge =
      facts.oauthError && typeof facts.oauthError === 'object'
        ? (facts.oauthError as Record<string, unknown>)
        : facts.challenge && typeof facts.challenge === 'object'
          ? (facts.challenge as Record<string, unknown>)
          : null;
    const failure = classifyFailure({
      stage: options.stage,
      protocol: options.protocol,
      serverType: context.serverType,
      authKind: context.credentials.kind,
      server: `${context.target.host}:${context.target.port}`,
      errorCode: typeof facts.code === 'string' ? facts.code : undefined,
      reply,
      challenge,
      freshToken: context.freshToken,
      timeoutSeconds: context.timeoutMs / 1000,
      ...options.evidence?.(error),
    });
    const said = [
      reply ? `Server: ${reply}` : typeof facts.message === 'string' ? facts.message : String(error),
      challenge ? `Challenge (decoded): ${JSON.stringify(challenge)}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    await context.recordStep({
      name: `tester.steps.${options.name}`,
      ok: false,
      durationMs: Math.round(performance.now() - started),
      detail: redact(`${failure.code}: ${said}`, context.secrets).slice(0, 2000),
    });
    throw new StepFailure(failure);
  } finally {
    clearTimeout(timer);
  }
}
