import type { Phrase, PhraseValues, Text } from '@/lib/i18n/render';
import { phrase, renderText } from '@/lib/i18n/text';
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

function redactValues(values: PhraseValues, secrets: ReadonlySet<string>): PhraseValues {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      typeof value === 'string' ? redact(value, secrets) : typeof value === 'number' || 'at' in value ? value : redactPhrase(value, secrets),
    ]),
  );
}

function redactPhrase({ key, values }: Phrase, secrets: ReadonlySet<string>): Phrase {
  return values ? { key, values: redactValues(values, secrets) } : { key };
}

/** A step's detail as stored: English, and the phrase that renders it for every reader (none for raw text). */
function storedDetail(detail: Text, secrets: ReadonlySet<string>): { detail: string; detailWords: Phrase | null } {
  if (typeof detail === 'string') return { detail: redact(detail, secrets).slice(0, 2000), detailWords: null };
  const words = redactPhrase(detail, secrets);
  return { detail: renderText(words, 'en').slice(0, 2000), detailWords: words };
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
 * ends, without waiting for the record to be written, and turns a failure into a classified
 * StepFailure. Details never carry secrets.
 */
export async function runStep<T>(options: StepOptions, work: () => Promise<{ value: T; detail: Text }>): Promise<T> {
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
    context.recordStep({
      name: `tester.steps.${options.name}`,
      ok: true,
      at: new Date(),
      durationMs: Math.round(performance.now() - started),
      ...storedDetail(detail, context.secrets),
    });
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
    // What the server said (or the library's own error), quoted as it came, and the decoded challenge.
    const said = phrase(reply ? 'tester.details.failedWithReply' : 'tester.details.failedWithError', {
      code: failure.code,
      said: (reply ?? (typeof facts.message === 'string' ? facts.message : String(error))).slice(0, 2000),
      challenge: challenge ? JSON.stringify(challenge) : 'none',
    });
    context.recordStep({
      name: `tester.steps.${options.name}`,
      ok: false,
      at: new Date(),
      durationMs: Math.round(performance.now() - started),
      ...storedDetail(said, context.secrets),
    });
    throw new StepFailure(failure);
  } finally {
    clearTimeout(timer);
  }
}
