/**
 * Placeholder until the PII issue fills this folder: the scrubber returns its input unchanged.
 */
export interface Scrubber {
  text(input: string): string;
  value<T>(input: T): T;
}

export type PiiOptions = Record<string, never>;

export function createScrubber(_options?: PiiOptions): Scrubber {
  return { text: (s) => s, value: (v) => v };
}
