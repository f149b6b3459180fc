'use client';

import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ProblemAlert } from '@/app/_components/action-message';
import { StatusBadge } from '@/app/_components/status-badge';
import { Time } from '@/app/_components/time';
import { Alert, Button, Card } from '@/app/_components/ui';
import { useRenderText } from '@/app/_components/use-text';
import { sentencesOf } from '@/lib/alerts/repeated-sentences';
import type { ActionError } from '@/lib/auth/form-action-state';
import { renderTestWith, type RenderedTest } from '@/lib/tester/render-test';
import { startMailboxTestAction, type TestView } from './test-actions';

const POLL_MS = 400;

/** The test with its steps so far, from any portal instance; without `testId`, the newest (or null). */
async function readTest(mailboxId: string, testId: string | undefined, signal: AbortSignal): Promise<TestView | null> {
  const query = testId ? `?testId=${encodeURIComponent(testId)}` : '';
  const response = await fetch(`/api/mailboxes/${encodeURIComponent(mailboxId)}/test-progress${query}`, { signal, cache: 'no-store' });
  return response.ok ? ((await response.json()) as TestView | null) : null;
}
const DIRECTIONS = ['incoming', 'outgoing'] as const;

function Verdict({ test }: { test: TestView }) {
  const t = useTranslations('mailbox.test.verdict');
  if (test.ok === null) return <StatusBadge tone="neutral">{t('testing')}</StatusBadge>;
  if (test.activated) return <StatusBadge tone="success">{t('active')}</StatusBadge>;
  if (test.ok) return <StatusBadge tone="warning">{t('passed')}</StatusBadge>;
  return <StatusBadge tone="failure">{t('failing')}</StatusBadge>;
}

type ShownError = { message: string; hint: string; sameCause: boolean };

/** The sentences of an error not yet said on the page; each one is said from then on. */
function unsaid(text: string, said: Set<string>): string {
  const fresh = sentencesOf(text).filter((sentence) => !said.has(sentence));
  for (const sentence of fresh) said.add(sentence);
  return fresh.join(' ');
}

/**
 * Each direction's error without what the page already says: the mailbox's last error is usually
 * this test's first failure, and both directions often share a hint.
 */
function errorsToShow(test: TestView, saidElsewhere: (string | null | undefined)[]): Record<(typeof DIRECTIONS)[number], ShownError | null> {
  const said = new Set(saidElsewhere.flatMap((text) => (text ? sentencesOf(text) : [])));
  let pointed = false;
  const show = (error: TestView['incoming']['error']): ShownError | null => {
    if (!error) return null;
    const shown = { message: unsaid(error.message, said), hint: unsaid(error.hint, said), sameCause: false };
    // Nothing new to say: the first such direction points to where it is said, a later one only keeps its red step.
    if (!shown.message && !shown.hint && !pointed) pointed = shown.sameCause = true;
    return shown;
  };
  // In reading order: the incoming error first, so the outgoing one says only what it adds.
  const incoming = show(test.incoming.error);
  return { incoming, outgoing: show(test.outgoing.error) };
}

function Direction({ direction, result, shown }: { direction: (typeof DIRECTIONS)[number]; result: RenderedTest<TestView>['incoming']; shown: ShownError | null }) {
  const t = useTranslations('mailbox.test');
  return (
    <div data-testid={`test-${direction}`}>
      <h3 className="text-sm font-semibold">
        {t(`directions.${direction}`)}{' '}
        <span className="font-normal text-slate-600">{t(`results.${result.status}`)}</span>
      </h3>
      <ol className="mt-2 space-y-1 text-sm">
        {result.steps.map((step, index) => (
          <li key={index} data-step={step.name} data-ok={step.ok ? 'true' : 'false'}>
            <details>
              <summary className={step.ok ? 'text-emerald-700' : 'text-red-700'}>
                <span aria-hidden>{step.ok ? '✓' : '✗'}</span> {step.name} <span className="text-slate-600">({step.durationMs} ms)</span>
              </summary>
              <pre className="mt-1 whitespace-pre-wrap break-words rounded bg-slate-50 p-2 text-xs text-slate-700">{step.detail}</pre>
            </details>
          </li>
        ))}
      </ol>
      {shown && (shown.message || shown.hint || shown.sameCause) ? (
        <div className="mt-2" data-testid={`error-${direction}`}>
          <Alert tone="failure">
            {shown.sameCause ? <p>{t('sameCause')}</p> : null}
            {shown.message ? <p className="font-medium">{shown.message}</p> : null}
            {shown.hint ? <p className={shown.message ? 'mt-1' : undefined}>{shown.hint}</p> : null}
          </Alert>
        </div>
      ) : null}
    </div>
  );
}

/**
 * "Test and activate": starts a test on the server and shows its steps as they are recorded, then
 * the verdict. A click while a test runs joins that test.
 */
export function TestAndActivatePanel({ mailboxId, saidElsewhere = [] }: { mailboxId: string; saidElsewhere?: (string | null | undefined)[] }) {
  const t = useTranslations('mailbox.test');
  const render = useRenderText();
  const router = useRouter();
  const [test, setTest] = useState<TestView | null>(null);
  const [error, setError] = useState<ActionError | null>(null);
  const [sendTestMessage, setSendTestMessage] = useState(false);
  const [starting, setStarting] = useState(false);
  const following = useRef<string | null>(null);
  // Aborted when the panel goes away: polling stops with it.
  const unmounted = useRef(new AbortController());

  const follow = useCallback(
    async (testId?: string) => {
      const signal = unmounted.current.signal;
      try {
        while (!signal.aborted) {
          const current = await readTest(mailboxId, testId, signal);
          if (!current) return;
          setTest(current);
          if (current.ok !== null) {
            if (testId) router.refresh();
            return;
          }
          testId = current.id;
          following.current = current.id;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    },
    [mailboxId, router],
  );

  useEffect(() => {
    const controller = new AbortController();
    unmounted.current = controller;
    // The newest test, shown on arrival and followed if it is still running.
    const timer = setTimeout(() => void follow(), 0);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [follow]);

  async function start() {
    setStarting(true);
    setError(null);
    const started = await startMailboxTestAction({ mailboxId, sendTestMessage });
    setStarting(false);
    if (started.status === 'error') {
      setError(started);
      return;
    }
    const { testId } = started.data;
    if (following.current === testId && test?.ok === null) return;
    following.current = testId;
    await follow(testId);
  }

  const running = test?.ok === null;
  // Steps and failures arrive as stored (message keys, problems with their key): shown in the viewer's language,
  // then compared with what the page already says in that language.
  const shown = test ? renderTestWith(test, render) : null;
  const shownErrors = shown ? errorsToShow(shown, saidElsewhere) : null;
  return (
    <Card title={t('title')}>
      <p className="text-sm text-slate-600">
        {t('intro')}
      </p>
      <label className="mt-3 flex items-center gap-2 text-sm">
        <input type="checkbox" checked={sendTestMessage} onChange={(event) => setSendTestMessage(event.target.checked)} />
        {t('sendMessage')}
      </label>
      <Button type="button" variant="primary" className="mt-3" onClick={() => void start()} disabled={starting}>
        {running ? t('follow') : t('start')}
      </Button>
      {error ? (
        <div className="mt-3">
          <ProblemAlert problem={error} />
        </div>
      ) : null}
      {shown && shownErrors ? (
        <div className="mt-4 space-y-4" aria-live="polite">
          <p className="text-sm" data-testid="test-verdict">
            <Verdict test={shown} />{' '}
            <span className="text-slate-600">
              {t('started')} <Time value={shown.startedAt} />
            </span>
          </p>
          {DIRECTIONS.map((direction) => (
            <Direction key={direction} direction={direction} result={shown[direction]} shown={shownErrors[direction]} />
          ))}
        </div>
      ) : null}
    </Card>
  );
}
