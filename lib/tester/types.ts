import type { Phrase } from '@/lib/i18n/render';
import type { ServerProfile, TrustedCertificate } from '@/db/schema';
import type { Problem } from '@/lib/errors';
import type { Messages } from '@/lib/i18n/messages';
import type { FailureCode } from '@/lib/mailboxes/status';
import type { ServerTarget } from '@/lib/mail/server-target';

/** What a person reads about a failed direction: a class, a plain message and what to do. */
export type TestFailure = Problem & { code: FailureCode; hint: string };

export type Direction = 'incoming' | 'outgoing';

/** A step of a test, named by its words in the messages (`tester.steps.<name>`). */
export type StepName = keyof Messages['tester']['steps'];

/** A finished step as stored: its name is the message key of its words, so each reader reads it in their language. */
/** `detail` in English for logs and older readers; `detailWords` renders it in each reader's language. */
export type StepOutcome = { name: `tester.steps.${StepName}`; ok: boolean; durationMs: number; detail: string; detailWords: Phrase | null; at: Date };

/** Records a finished step where every portal instance can read it (a row per step), without making the test wait. */
export type RecordStep = (step: StepOutcome) => void;

/** A host's addresses, allowed for the profile by the network guard; the first is the one to connect to. */
export type ResolvedHost = { address: string; all: string[] };

/** How a direction signs in: a token from the token service, or the stored password. */
export type Credentials =
  | {
      kind: 'oauth';
      user: string;
      getAccessToken: () => Promise<{ accessToken: string; account: string; expiresAt: Date }>;
      /** The scopes the mailbox's grant holds, as the provider last stated them. */
      getGrantedScopes: () => Promise<string[]>;
    }
  | { kind: 'password'; user: string; password: string };


/** What every protocol check is given. */
export type CheckContext = {
  target: ServerTarget;
  address: string;
  credentials: Credentials;
  serverType: ServerProfile['serverType'];
  internalServer: boolean;
  timeoutMs: number;
  /** Certificates an admin accepted in the profile, by host: a host listed here must present exactly one of them. */
  acceptedCertificates: TrustedCertificate[];
  /** PEM CA certificates trusted besides Node's store. */
  caCertificates: string[];
  recordStep: RecordStep;
  /** Resolves a host through the network guard once per test, for both directions. */
  resolveHost: (host: string) => Promise<ResolvedHost>;
};
