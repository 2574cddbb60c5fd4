const MIN_BASE64_LENGTH = 256;

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

/** Best guess of a media type from magic bytes; `application/octet-stream` when unknown. */
export function sniffMime(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return "image/gif";
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x41, 0x56, 0x45], 8)) return "audio/wav";
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return "application/pdf";
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return "application/zip";
  if (startsWith(bytes, [0x1f, 0x8b])) return "application/gzip";
  if (startsWith(bytes, [0x49, 0x44, 0x33]) || startsWith(bytes, [0xff, 0xfb])) return "audio/mpeg";
  if (startsWith(bytes, [0x4f, 0x67, 0x67, 0x53])) return "audio/ogg";
  if (startsWith(bytes, [0x66, 0x74, 0x79, 0x70], 4)) return "video/mp4";
  return "application/octet-stream";
}

function marker(mime: string, bytes: number): string {
  return `[binary:${mime}:${bytes}]`;
}

/** `[binary:<mime>:<bytes>]` for typed arrays, DataViews, Buffers and ArrayBuffers; else undefined. */
export function binaryMarkerOfObject(value: object): string | undefined {
  if (ArrayBuffer.isView(value)) {
    const head = new Uint8Array(value.buffer, value.byteOffset, Math.min(value.byteLength, 16));
    return marker(sniffMime(head), value.byteLength);
  }
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)) {
    return marker(sniffMime(new Uint8Array(value, 0, Math.min(value.byteLength, 16))), value.byteLength);
  }
  return undefined;
}

const DATA_URI = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w.+-]+=[\w.+-]+)*);base64,([A-Za-z0-9+/=\r\n]*)$/;
const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodedLength(body: string): number {
  const clean = body.replace(/[\r\n=]/g, "");
  return Math.floor((clean.length * 3) / 4);
}

function headBytes(body: string, urlSafe: boolean): Uint8Array {
  return Buffer.from(body.slice(0, 24).replace(/[\r\n]/g, ""), urlSafe ? "base64url" : "base64");
}

/**
 * `[binary:<mime>:<bytes>]` for a whole string that is a base64 data URI, or a long pure base64 /
 * base64url blob (≥ 256 characters, mixing upper case, lower case and digits, so hex hashes and
 * words never qualify). Undefined for anything else.
 */
export function binaryMarkerOfString(value: string): string | undefined {
  if (value.startsWith("data:")) {
    const m = DATA_URI.exec(value);
    if (m === null) return undefined;
    const body = m[3] ?? "";
    return marker(m[1] ?? sniffMime(headBytes(body, false)), decodedLength(body));
  }
  if (value.length < MIN_BASE64_LENGTH) return undefined;
  const urlSafe = !BASE64.test(value);
  if (urlSafe && !BASE64URL.test(value)) return undefined;
  if (!/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/\d/.test(value)) return undefined;
  return marker(sniffMime(headBytes(value, urlSafe)), decodedLength(value));
}
