import { isEmailAddress } from "./email.js";
import { isPhoneNumber } from "./phone.js";

/**
 * Whether a whole value reads as an e-mail address or a phone number. The middleware uses it to
 * warn (`YAVIO-1305`) when a `user_id` is contact data rather than an opaque id.
 *
 * @example looksLikeContactInfo("jane@acme.io") // "email"
 * @example looksLikeContactInfo("+44 20 7946 0958") // "phone"
 * @example looksLikeContactInfo("usr_8f2k") // undefined
 */
export function looksLikeContactInfo(value: string): "email" | "phone" | undefined {
  if (typeof value !== "string" || value.length > 320) return undefined;
  if (value.includes("@")) return isEmailAddress(value) ? "email" : undefined;
  return isPhoneNumber(value) ? "phone" : undefined;
}
