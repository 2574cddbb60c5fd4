/** What each detector writes in place of what it found. Brackets keep them out of every detector. */
export const PLACEHOLDER = {
  EMAIL: "[EMAIL_REDACTED]",
  PHONE: "[PHONE_REDACTED]",
  CREDIT_CARD: "[CC_REDACTED]",
  US_SSN: "[SSN_REDACTED]",
  IBAN: "[IBAN_REDACTED]",
  IP: "[IP_REDACTED]",
  SECRET: "[SECRET_REDACTED]",
  KEY: "[REDACTED]",
} as const;

/** True for a value an earlier pass already replaced, so a second pass leaves it alone. */
export function isPlaceholder(value: string): boolean {
  return value.length > 9 && value.charCodeAt(0) === 91 /* [ */ && value.endsWith("REDACTED]");
}
