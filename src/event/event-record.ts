import { SDK_VERSION } from "../version.js";
import { newEventId } from "./event-id.js";
import type { EventType, Platform, QueuedEvent, WireEvent } from "./wire-event.js";

/** What an event needs to know of its session; satisfied by the identity module's session state. */
export interface EventSubject {
  readonly id: string;
  readonly userId: string | undefined;
  readonly client: { readonly platform?: Platform | undefined };
  /** Each request is its own session (no anchor): every event says so. */
  readonly requestScoped?: boolean;
}

/** An identity settled after the event was recorded (a session shared by replicas); read at export. */
export interface EventIdentity {
  readonly userId: string | undefined;
  readonly traits: Readonly<Record<string, unknown>>;
}

/** Set to drop an event whose claim was lost (another replica's start, an identify ignored there). */
export interface EventGate {
  readonly dropped: boolean;
}

/** Fills in the type-specific fields of a wire event; runs in the pipeline, off the tool's path. */
export type WireBuilder = (wire: WireEvent) => void;

/**
 * An event as recorded on the tool's path: a few references and a timestamp. The wire form,
 * the uuid and the ISO time are made later by `toWire()`, in the pipeline.
 */
export class EventRecord implements QueuedEvent {
  constructor(
    readonly type: EventType,
    readonly name: string | undefined,
    readonly subject: EventSubject,
    readonly traceId: string,
    /** Epoch milliseconds. */
    readonly time: number,
    /** The userId when the event happened. */
    readonly userId: string | undefined,
    /** The traits snapshot when the event happened (never mutated: the session replaces it). */
    readonly traits: Readonly<Record<string, unknown>>,
    /** With retroactive stitching, an anonymous event takes the session's userId if it is known by export time. */
    readonly stitch: boolean,
    readonly build?: WireBuilder,
    /** For a shared session: the identity as the store settles it, in place of the snapshot. */
    readonly identity?: EventIdentity,
    readonly gate?: EventGate,
  ) {}

  /** True when the event must not be sent (its claim was lost to another replica). */
  get dropped(): boolean {
    return this.gate?.dropped === true;
  }

  get sessionId(): string {
    return this.subject.id;
  }

  toWire(): WireEvent {
    const wire: WireEvent = {
      event_id: newEventId(),
      event_type: this.type,
      trace_id: this.traceId,
      session_id: this.subject.id,
      timestamp: new Date(this.time).toISOString(),
      source: "server",
      sdk_version: SDK_VERSION,
    };
    if (this.name !== undefined) wire.event_name = this.name;
    const platform = this.subject.client.platform;
    if (platform !== undefined) wire.platform = platform;
    const identity = this.identity;
    let userId = identity === undefined ? this.userId : identity.userId;
    const traits = identity === undefined ? this.traits : identity.traits;
    let stitched = false;
    if (userId === undefined && this.stitch && this.subject.userId !== undefined) {
      userId = this.subject.userId;
      stitched = true;
    }
    if (userId !== undefined) wire.user_id = userId;
    if (hasOwnKeys(traits)) wire.user_traits = traits;
    this.build?.(wire);
    if (stitched) wire.metadata = { ...wire.metadata, stitched: true };
    if (this.subject.requestScoped === true) wire.metadata = { ...wire.metadata, session_scope: "request" };
    return wire;
  }
}

/** True when the object has an enumerable own key; unlike Object.keys() it allocates nothing. */
function hasOwnKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
