'use client';

import { useEffect } from 'react';
import { BROWSER_TIME_ZONE_COOKIE } from '@/lib/i18n/time-zones';

/**
 * Leaves the browser's time zone in a cookie, which the server reads for people who have not chosen
 * one: the browser never says it in a request otherwise. IANA names need no escaping in a cookie. Written only when it changed (a laptop
 * that travelled), and it applies from the next page on.
 */
export function BrowserTimeZone() {
  useEffect(() => {
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const current = document.cookie.split('; ').find((entry) => entry.startsWith(`${BROWSER_TIME_ZONE_COOKIE}=`));
    if (current?.slice(BROWSER_TIME_ZONE_COOKIE.length + 1) === timeZone) return;
    document.cookie = `${BROWSER_TIME_ZONE_COOKIE}=${timeZone}; path=/; max-age=31536000; samesite=lax`;
  }, []);
  return null;
}
