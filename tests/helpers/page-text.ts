import type { Page } from 'playwright-core';

/** Sentences (four words or more, ending with . ! or ?) that the page's main content says more than once; labels and step lines are not sentences. */
export async function repeatedSentences(page: Page): Promise<string[]> {
  const text = await page.locator('main').innerText();
  const sentences = text
    .split('\n')
    .flatMap((line) => line.split(/(?<=[.!?])\s+/))
    .map((sentence) => sentence.trim())
    .filter((sentence) => /[.!?]$/.test(sentence) && sentence.split(/\s+/).length >= 4);
  return [...new Set(sentences.filter((sentence, index) => sentences.indexOf(sentence) !== index))];
}
