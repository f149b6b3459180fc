// The server types, in the order the profile form offers them. Kept alone, without the descriptors,
// because db/schema.ts builds its enum from this list and needs nothing else of lib/providers.
// A new id here needs its descriptor in PROVIDERS (the compiler says so) and a migration for the enum.
export const PROVIDER_IDS = ['gmail', 'microsoft365', 'custom'] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];
