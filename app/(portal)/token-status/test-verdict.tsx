import { useTranslations } from 'next-intl';
import { Time } from '@/app/_components/time';
import { testOutcomeKey } from './format';

/** The last test of a mailbox and when it ran, in the viewer's time zone. */
export function TestVerdict({ test }: { test: { ok: boolean | null; at: string } | null }) {
  const t = useTranslations('tokenStatus.test');
  if (!test) return t('never');
  return (
    <>
      {t(testOutcomeKey(test))} <Time value={test.at} />
    </>
  );
}
