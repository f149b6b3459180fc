/** The sentences of a text, as a reader tells them apart: each ends with . ! or ? before a space or the end. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}

/**
 * The alerts of a page without the sentences the page already says elsewhere (the last error and its
 * hint, the next step): a profile's refusal is often the mailbox's own reason word for word, and
 * one page says each thing once. An alert keeps its title; its detail loses only the repeats.
 */
export function withoutRepeatedSentences<T extends { detail: string }>(alerts: T[], saidElsewhere: (string | null | undefined)[]): T[] {
  const said = new Set(saidElsewhere.flatMap((text) => (text ? sentencesOf(text) : [])));
  return alerts.map((alert) => ({ ...alert, detail: sentencesOf(alert.detail).filter((sentence) => !said.has(sentence)).join(' ') }));
}
