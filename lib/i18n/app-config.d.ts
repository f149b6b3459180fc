import type { AppFormats } from './formats';
import type { Locale } from './locales';
import type { Messages } from './messages';

// Message keys, format names and locales are checked by the compiler wherever next-intl is used.
declare module 'next-intl' {
  interface AppConfig {
    Locale: Locale;
    Messages: Messages;
    Formats: AppFormats;
  }
}
