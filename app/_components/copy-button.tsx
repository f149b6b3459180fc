'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { Button } from './ui';

/** Copies a value a person must paste elsewhere, such as a redirect URI to register at a provider. */
export function CopyButton({ value, label }: { value: string; label?: string }) {
  const t = useTranslations('common.components');
  const [copied, setCopied] = useState(false);
  return (
    <Button
      type="button"
      onClick={async () => {
        await navigator.clipboard.writeText(value);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      <span aria-live="polite">{copied ? t('copied') : (label ?? t('copy'))}</span>
    </Button>
  );
}
