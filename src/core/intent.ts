import type { Warn } from "../warnings/index.js";
import type { ResolvedIntent } from "./options.js";

/** Characters of an intent kept on the event; the rest is cut when the call arrives. */
export const MAX_INTENT_LENGTH = 500;
/** Tool names remembered per configuration as declaring the intent argument themselves. */
const MAX_DECLARING_TOOLS = 1000;

type Json = Record<string, unknown>;

/** What a tools/call's arguments become once the intent argument is taken out. */
export interface StrippedArguments {
  /** A copy of the arguments without the intent argument (the client's object is left as it was). */
  readonly arguments: Json;
  /** The stated intent, cut to MAX_INTENT_LENGTH; undefined when it was not a non-empty string. */
  readonly intent: string | undefined;
}

/**
 * Opt-in intent capture, SDK-neutral: adds an optional string argument to every tool schema a
 * `tools/list` answer shows, and takes it out of a `tools/call`'s arguments again before the host
 * (and the SDK's validation of the host's schema) sees them. A tool whose own schema already has
 * an argument of that name is left alone on both paths (YAVIO-1313, once per tool).
 */
export class IntentCapture {
  readonly argument: string;
  private readonly property: Readonly<Json>;
  /** Tools whose listed schema declared the argument itself: never stripped. */
  private readonly declaring = new Set<string>();
  /** Tools whose listed schema this configuration gave the argument (bounded like `declaring`). */
  private readonly augmented = new Set<string>();

  constructor(
    options: ResolvedIntent,
    private readonly warn: Warn,
  ) {
    this.argument = options.argument;
    this.property = Object.freeze({ type: "string", description: options.description });
  }

  /**
   * A `tools/list` result with the argument added to each tool's input schema: a new object, the
   * host's result (which it may cache) is never changed. Anything it cannot read stays as it was.
   */
  augmentListResult(result: unknown): unknown {
    if (!isObject(result) || !Array.isArray(result.tools)) return result;
    const tools: unknown[] = result.tools;
    let out: unknown[] | undefined;
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[i];
      const next = this.augmentTool(tool);
      if (next !== tool) (out ??= [...tools])[i] = next;
    }
    return out === undefined ? result : { ...result, tools: out };
  }

  private augmentTool(tool: unknown): unknown {
    if (!isObject(tool)) return tool;
    const schema = tool.inputSchema;
    // MCP input schemas are objects; anything else (or a schema we cannot read) is not touched.
    if (!isObject(schema) || schema.type !== "object") return tool;
    const properties = schema.properties;
    if (properties !== undefined && !isObject(properties)) return tool;
    if (properties !== undefined && Object.hasOwn(properties, this.argument)) {
      if (typeof tool.name === "string") this.declares(tool.name);
      return tool;
    }
    if (typeof tool.name === "string" && this.augmented.size < MAX_DECLARING_TOOLS) this.augmented.add(tool.name);
    return { ...tool, inputSchema: { ...schema, properties: { ...properties, [this.argument]: this.property } } };
  }

  /** Remembers a tool that has an argument of the intent's name: its calls keep it. */
  declares(tool: string): void {
    if (this.declaring.has(tool)) return;
    if (this.declaring.size < MAX_DECLARING_TOOLS) this.declaring.add(tool);
    this.warn({
      code: "YAVIO-1313",
      message: `tool "${tool.slice(0, 128)}" has an argument named "${this.argument}" itself: intent capture leaves that tool alone (choose another capture.intent.argument to capture its intent too)`,
      details: { tool: tool.slice(0, 128), argument: this.argument },
    });
  }

  /**
   * Takes the intent argument out of a call's arguments. `hostDeclares` is the adapter's answer
   * to "does the host's schema of this tool have such an argument". When the adapter cannot tell,
   * the argument is taken out only if this configuration itself added it to that tool's listed
   * schema: a client that never listed here (another replica, a cached list) keeps the host's own
   * argument. Undefined when there is nothing to take out.
   */
  strip(tool: unknown, args: unknown, hostDeclares: boolean | undefined): StrippedArguments | undefined {
    if (!isObject(args) || !Object.hasOwn(args, this.argument)) return undefined;
    const name = typeof tool === "string" ? tool : undefined;
    const declared = hostDeclares ?? (name === undefined || this.declaring.has(name) || !this.augmented.has(name));
    if (declared) {
      if (hostDeclares === true && typeof tool === "string") this.declares(tool);
      return undefined;
    }
    const rest: Json = {};
    let value: unknown;
    for (const key of Object.keys(args)) {
      if (key === this.argument) value = args[key];
      else rest[key] = args[key];
    }
    return { arguments: rest, intent: typeof value === "string" ? capIntent(value) : undefined };
  }
}

/** A stated intent as an event keeps it: trimmed, cut, and a copy of its own (a cut string can keep a huge parent alive). */
export function capIntent(value: string): string | undefined {
  const head = value.length > MAX_INTENT_LENGTH * 4 ? value.slice(0, MAX_INTENT_LENGTH * 4) : value;
  const trimmed = head.trim();
  if (trimmed === "") return undefined;
  return detachedCut(trimmed, MAX_INTENT_LENGTH);
}

/** At most `max` characters (no lone surrogate at the cut), in a string that shares no memory with the input. */
export function detachedCut(value: string, max: number): string {
  // Short enough: kept as is (it is small, whatever it shares memory with is small too).
  if (value.length <= max) return value.length > 64 ? Buffer.from(value, "utf16le").toString("utf16le") : value;
  let end = max - 1;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${Buffer.from(value.slice(0, end), "utf16le").toString("utf16le")}…`;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
