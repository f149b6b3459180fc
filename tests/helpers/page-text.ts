import type { Page } from 'playwright-core';

/** Sentences of four words or more that the page's main content says more than once. */
export async function repeatedSentences(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText();
  const sentences = text
    .split('\n')
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.split(/\s+/).length >= 4);
  return [...new Set(sentences.filter((sentence, index) => sentences.indexOf(sentence) !== index))];
}
