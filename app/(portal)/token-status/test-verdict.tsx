import { Time } from '@/app/_components/time';

/** The last test of a mailbox and when it ran, in the viewer's time zone. */
export function TestVerdict({ test }: { test: { ok: boolean | null; at: string } | null }) {
  if (!test) return 'Never tested';
  return (
    <>
      {test.ok === null ? 'Running' : test.ok ? 'Passed' : 'Failed'} <Time value={test.at} />
    </>
  );
}
