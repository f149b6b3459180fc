export async function register() {
  // Build workers load this file too: only a running server migrates and checks its keys.
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { startPortal } = await import('@/lib/startup');
  await startPortal();
}
