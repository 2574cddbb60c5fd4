/**
 * The registry of every warning and error code this package emits.
 *
 * Numbers follow Yavio's numbering so a user can look a code up in either place: the same number
 * means the same thing. New codes of ours take free numbers in the same range. The summary is the
 * documented meaning; the `message` of a warning is free text and not API.
 */
export const WARNING_CODES = {
  // 10xx: configuration
  "YAVIO-1000": "No API key or endpoint configured: events go to the local event file.",
  "YAVIO-1001": "API key malformed (expected a non-empty string, usually `yav_…`).",
  "YAVIO-1002": "Endpoint URL invalid, or an API key would be sent over plain http to a non-loopback host.",
  "YAVIO-1003": "Option value invalid (wrong type or out of range).",
  "YAVIO-1004": "Configuration file `.yaviorc.json` malformed.",
  "YAVIO-1005": "An endpoint from a lower-precedence source than the API key: ignored (HTTP off), or used with `trustConfigEndpoint`.",
  "YAVIO-1006": "A path in `.yaviorc.json` points outside the file's folder: ignored.",

  // 11xx: attaching to the MCP server
  "YAVIO-1100": "Interception failed: part of the server could not be instrumented.",
  "YAVIO-1101": "Platform detection failed.",
  "YAVIO-1102": "Session id derivation failed (`sessionKey` threw or returned a non-string).",
  "YAVIO-1103": "Server already wrapped: the second `withYavio` call is a no-op.",
  "YAVIO-1104": "Many distinct withYavio configurations are live (options rebuilt with new sink objects per call?).",
  "YAVIO-1105": "Context unavailable: `yavio` was called outside an MCP handler.",
  "YAVIO-1106": "Response inspection failed: the tool result could not be read for analytics.",
  "YAVIO-1107": "Requests without a protocol session or an anchor: each is its own session (pass `sessionKey` or use the SDK's auth).",
  "YAVIO-1108": "A plugin threw: the hook was skipped and the request went on as usual.",
  "YAVIO-1109": "The `yavio` export was called while requests run without ambient context (`ambientContext` is off): ignored; use `ctx.yavio`.",

  // 12xx: delivery
  "YAVIO-1200": "Flush failed, retrying.",
  "YAVIO-1201": "Maximum retries reached: the batch was not delivered.",
  "YAVIO-1202": "Rate limited by the ingest (429/503): waiting for Retry-After.",
  "YAVIO-1203": "Ingest refused for good (401/403 bad key, or 404/405/3xx wrong endpoint): sending stopped, events kept locally.",
  "YAVIO-1204": "Partial rejection (207): some events were refused by the ingest.",
  "YAVIO-1205": "Shutdown flush failed or timed out.",
  "YAVIO-1206": "Buffer overflow: events were dropped.",
  "YAVIO-1207": "Batch rejected as invalid (400): dropped, not retried.",
  "YAVIO-1208": "Event refused: the pipeline is shut down.",
  "YAVIO-1209": "Spool file corrupt: skipped.",
  "YAVIO-1210": "Spool full: oldest undelivered events discarded.",
  "YAVIO-1211": "Sink error: a sink did not take a batch (once per failure episode).",
  "YAVIO-1212": "Undelivered events spooled to disk for the next start.",
  "YAVIO-1213": "Event file retention: the oldest rotated event file was deleted; the warning says how many events and bytes went.",
  "YAVIO-1214": "Event file ends in a partial line (a write cut short, e.g. a full disk): it is left as one unreadable line, never glued to an event.",
  "YAVIO-1215": "Event file lock unavailable or rotation failed: events appended to the current file without rotating.",
  "YAVIO-1220": "Session store (shared by replicas) unavailable or slow: sessions go on with this replica's local state until it answers (once per episode).",
  "YAVIO-1221": "Session store answers again: identity rules hold across replicas again.",
  "YAVIO-1222": "Session store backlog full: claims skipped, local state used (memory stays bounded; once per episode).",

  // 13xx: events and data
  "YAVIO-1300": "Event validation failed: the call was ignored.",
  "YAVIO-1301": "PII stripping failed: the event was dropped, never sent unscrubbed.",
  "YAVIO-1302": "Identify conflict: the session already has a different userId; the call was ignored.",
  "YAVIO-1303": "Conversion missing or invalid value/currency: no event.",
  "YAVIO-1304": "Event or value over the size limit: cut, with a marker.",
  "YAVIO-1305": "userId looks like an e-mail address or phone number (consider `pii.hashUserIds`).",
  "YAVIO-1306": "`beforeSend` threw: the event was dropped.",
  "YAVIO-1307": "`pii.hashUserIds` is on without `hashSecret`: ids are hashed unkeyed, reversible for guessable ids.",
  "YAVIO-1308": "OpenTelemetry: PII scrubbing of a span attribute or span event failed: it was left out, never sent unscrubbed.",
  "YAVIO-1313": "Intent capture: a tool has an argument of the intent argument's name itself; that tool's calls and schema are left alone.",
  "YAVIO-1314": "Discovery: a session was shown more names of one kind than are remembered per session; the rest are not recorded.",
  "YAVIO-1315": "Shared session store: user ids are stored raw (pii.hashUserIds off and no hashSecret to seal them).",
  "YAVIO-1316": "Shared session store: a sealed user id could not be opened (another hashSecret?); events carry the user's pseudonym (once).",
} as const;

/** A warning or error code, such as `"YAVIO-1302"`. */
export type WarningCode = keyof typeof WARNING_CODES;
