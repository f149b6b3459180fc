// Types and a pure function only: code that also runs in the browser (the profile form) writes phrases too.
import type { Messages } from './messages';
import type { Phrase, PhraseValues } from './render';

type Join<P extends string, K extends string> = P extends '' ? K : `${P}.${K}`;
/** Every path in the messages, down to single messages and the groups that hold them. */
type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? Join<P, K> : Join<P, K> | Paths<T[K], Join<P, K>>;
}[keyof T & string];
export type MessagePath = Paths<Messages>;

/** A phrase, with its key checked by the compiler against messages/en.json. */
export function phrase(key: MessagePath, values?: PhraseValues): Phrase {
  return values ? { key, values } : { key };
}
