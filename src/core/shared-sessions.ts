import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { SessionState, Traits } from "../identity/index.js";
import type { Warn } from "../warnings/index.js";

/** Why a session ended. */
export type EndReason = "close" | "idle" | "reset" | "shutdown";

/** Trait values as a shared store keeps them: one JSON text per key, already scrubbed. */
export type StoredTraits = ReadonlyArray<readonly [key: string, json: string]>;

/** What the store knows of a session's identity. */
export interface SharedView {
  /** The session's user in store form (a `uh_` pseudonym under `pii.hashUserIds`). */
  readonly userId: string | undefined;
  readonly traits: StoredTraits;
  /** The user id sealed for the replicas (see `SharedSessionsOptions.sealUserId`), when stored. */
  readonly sealedUserId?: string | undefined;
  /**
   * The version of this identity in the store (it changes whenever the user, the sealed id or a
   * trait does), when the store keeps one: a touch that names it is answered without the identity.
   */
  readonly version?: string | undefined;
}

export interface TouchReply extends SharedView {
  /** This replica claimed the start of the session's current run: its session_start is the one. */
  readonly startWon: boolean;
  /** The session ran and ended before (the same anchor came back): a resumed start. */
  readonly resumed: boolean;
  readonly step: number;
  /**
   * The identity is still the version the touch named: userId, traits and sealedUserId were not
   * sent (empty here), the view of that version stands.
   */
  readonly unchanged?: boolean | undefined;
}

export interface IdentifyReply extends SharedView {
  /** False when the session belongs to another user: the call was ignored everywhere. */
  readonly accepted: boolean;
  readonly userIdSet: boolean;
  readonly traitsChanged: boolean;
}

export interface SessionCounts {
  readonly toolCalls: number;
  readonly resourceReads: number;
  readonly promptGets: number;
  readonly errors: number;
}

export interface EndReply extends SharedView {
  /** This replica claimed the end of the session's current run: its session_end is the one. */
  readonly won: boolean;
  /** An idle end refused: another replica saw the session within the idle timeout. */
  readonly alive: boolean;
  /** When the run started (epoch ms), for the duration. */
  readonly startedAt: number | undefined;
  readonly counts: SessionCounts;
}

/**
 * The port a store shared by replicas implements (see `yavio-mcp/redis`). Every call is one atomic
 * step in the store, answered later: the core never waits for one on the tool's path. Keys are
 * `ses_` ids, which are derived by hash, and values are in the form events carry them.
 */
export interface SharedSessionBackend {
  /** How long a claim may take before the replica goes on with its local state. Default 1000. */
  readonly claimTimeoutMs?: number | undefined;
  /**
   * A sign of life: refreshes the last activity and claims the start of a run that has none.
   * `knownVersion`: the identity version of the view this replica holds (see `SharedView.version`);
   * a store that keeps versions then answers `unchanged` instead of sending the same identity again.
   */
  touch(id: string, at: number, knownVersion?: string): Promise<TouchReply>;
  /**
   * First valid userId wins; traits merge (later wins per key) only for that user. `undefined`:
   * traits only. `sealedUserId` is stored with the user it seals when that user wins.
   */
  identify(id: string, userId: string | undefined, traits: StoredTraits, sealedUserId?: string): Promise<IdentifyReply>;
  /** The next funnel step number of the session. */
  step(id: string): Promise<number>;
  count(id: string, deltas: SessionCounts): Promise<void>;
  /** Claims the end of the current run; with `idleSince`, only if no replica saw the session after it. */
  end(id: string, at: number, idleSince: number | undefined): Promise<EndReply>;
  /**
   * Called after the claims of one flush were asked for, synchronously: a backend that sends them
   * together (one pipeline) sends them now. Without it, each claim is sent by its own call.
   */
  flush?(): void;
}

/** What the core gives a shared store when a configuration starts using it. */
export interface SharedStoreContext {
  readonly sessionIdleTimeoutMs: number;
  readonly warn: Warn;
}

/** An event's identity, settled by the store's answer; read when the event is exported. */
export class IdentityCell {
  constructor(
    public userId: string | undefined,
    public traits: Traits,
  ) {}
}

/** Whether an event recorded before its claim returned is still to be sent. */
export interface EventGate {
  dropped: boolean;
}

/** What an identify event needs from its claim at export. */
export class IdentifyClaim implements EventGate {
  dropped = false;
  constructor(public firstIdentify: boolean) {}
}

/** A funnel step's number, settled by the store's counter. */
export class StepNumber {
  constructor(public value: number) {}
}

export interface SharedSessionsOptions {
  readonly warn: Warn;
  /** How long a claim may take before the replica goes on with its local state. */
  readonly timeoutMs: number;
  /** Claims in flight at most: beyond it, local state only (memory stays bounded while the store is slow). */
  readonly maxPending: number;
  readonly sessionIdleTimeoutMs: number;
  /**
   * A userId in store form, the form replicas compare: its `uh_` pseudonym under pii.hashUserIds or
   * with a hashSecret, the id itself otherwise; a pseudonym stays as it is.
   */
  readonly storedUserId: (userId: string) => string;
  /**
   * The key that seals the raw userId for the other replicas (from the hashSecret), when events
   * carry raw ids (pii.hashUserIds off): the store then holds the pseudonym and the sealed id,
   * never the id. Undefined under pii.hashUserIds (the pseudonym is what events carry).
   */
  readonly sealKey?: Buffer | undefined;
  /** Events carry raw ids and there is no hashSecret to seal them: the store holds them raw (YAVIO-1315). */
  readonly rawUserIds?: boolean | undefined;
  /** A user id as a warning may show it. */
  readonly shownUserId: (userId: string) => string;
  /** Scrubs a value as events are scrubbed (a traits object: its keys and values). */
  readonly scrubValue: (value: unknown) => unknown;
  /** A run of the session was claimed here although this replica had started it already. */
  readonly lateStart: (session: SessionState) => void;
  /** This replica claimed the end (or could not ask): its session_end is recorded. */
  readonly ended: (session: SessionState, reason: EndReason, at: number) => void;
}

/** A claim waiting for the next flush, or in flight. */
interface Op {
  readonly run: () => Promise<unknown>;
  readonly onReply: (reply: never) => void;
  readonly onFail: () => void;
  /** The flush whose answer started this claim (a re-claim), if one did. */
  readonly parent: Flush | undefined;
  settled: boolean;
}

/** The claims sent together: one write to the store, one timeout, and the claims their answers started. */
interface Flush {
  readonly ops: readonly Op[];
  readonly done: Promise<void>;
  readonly children: Flush[];
}

const EMPTY: Traits = Object.freeze({});

/**
 * The replicas' side of the session rules. Local state answers at once; every decision the
 * replicas must agree on is claimed in the store in the background, and what an event says of its
 * session (user, traits, step number, whether it is the one start) is settled by the answer before
 * the event is exported: the pipeline waits for claims in flight (`settled()`) before it cuts a
 * batch. A store that fails or is slow leaves the local answer standing, with one warning per
 * episode.
 *
 * On the tool's path a claim is only queued: a request's claims leave when it ends, before its
 * answer is handed to the transport (`requestDone`; claims of no request on the next turn of the
 * event loop), as one batch the backend sends in one write, under one timeout.
 */
export class SharedSessions {
  private readonly links = new WeakMap<SessionState, SharedLink>();
  /** Claims queued for the next flush. */
  private queue: Op[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly inFlight = new Set<Flush>();
  /** Claims queued or in flight (bounded by `maxPending`). */
  private pendingOps = 0;
  /** The flush whose answers are being handled now, if one is. */
  private answering: Flush | undefined;
  private closed = false;
  private failures = 0;
  private overloaded = 0;

  constructor(
    readonly backend: SharedSessionBackend,
    readonly options: SharedSessionsOptions,
  ) {
    if (options.rawUserIds === true) {
      options.warn({
        code: "YAVIO-1315",
        message:
          "the shared session store holds raw user ids (pii.hashUserIds is off and there is no hashSecret to seal them): set hashSecret (the same on every replica) to store them sealed, or turn pii.hashUserIds on",
      });
    }
  }

  /** A raw userId sealed for the replicas (AES-256-GCM under a key from the hashSecret), if sealing applies. */
  seal(userId: string): string | undefined {
    const key = this.options.sealKey;
    if (key === undefined) return undefined;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const body = Buffer.concat([cipher.update(userId, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  private openFailures = 0;

  /** The raw userId a sealed one holds; undefined (and YAVIO-1316 once) when it cannot be opened. */
  open(sealed: string): string | undefined {
    const key = this.options.sealKey;
    if (key === undefined) return undefined;
    try {
      const data = Buffer.from(sealed, "base64url");
      if (data.length < 28) throw new Error("too short");
      const decipher = createDecipheriv("aes-256-gcm", key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      if (this.openFailures++ === 0) {
        this.options.warn({
          code: "YAVIO-1316",
          message:
            "a user id sealed in the shared session store could not be opened (replicas with another hashSecret, or a changed value): events of such sessions carry the user's pseudonym (said once)",
        });
      }
      return undefined;
    }
  }

  linkOf(session: SessionState): SharedLink | undefined {
    return this.links.get(session);
  }

  /** Ties a derived session to the store and claims its start. */
  attach(session: SessionState): SharedLink {
    let link = this.links.get(session);
    if (link === undefined) {
      link = new SharedLink(this, session);
      this.links.set(session, link);
      link.touch();
      // Sent at once: a session may open on a request that is no tool call (a list, an
      // initialize), whose end sends no claims, and its start must reach the store before the
      // client's next request can reach another replica. Once per session and replica.
      this.flush();
    }
    return link;
  }

  /**
   * Settles when the claims queued or in flight now have settled, with the claims their answers
   * started (a re-claim after a store restart); claims started later are not waited for (their
   * events go to a later batch). Bounded by twice the claim timeout: under steady traffic it still
   * settles.
   */
  settled(): Promise<void> | undefined {
    this.flush();
    if (this.inFlight.size === 0) return undefined;
    let round = [...this.inFlight];
    const wait = async (): Promise<void> => {
      while (round.length > 0) {
        await Promise.all(round.map((flush) => flush.done));
        round = round.flatMap((flush) => flush.children);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 2 * this.options.timeoutMs);
      timer.unref();
    });
    return Promise.race([wait(), bound]).finally(() => clearTimeout(timer));
  }

  /** The configuration shut down: queued claims leave now; no claim is started any more. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /** Claims queued or in flight. */
  get pending(): number {
    return this.pendingOps;
  }

  /**
   * Queues one claim for the next flush. Never throws; `onReply` or `onFail` is called exactly
   * once, later (at once only when the claim is refused: store closed, backlog full).
   */
  call<T>(run: () => Promise<T>, onReply: (reply: T) => void, onFail: () => void = () => undefined): void {
    if (this.closed) {
      safely(onFail);
      return;
    }
    if (this.pendingOps >= this.options.maxPending) {
      if (this.overloaded++ === 0) {
        this.options.warn({
          code: "YAVIO-1222",
          message: `session store backlog full (${this.options.maxPending} claims waiting): claims skipped, sessions go on with this replica's local state (said once until the backlog drains)`,
        });
      }
      safely(onFail);
      return;
    }
    this.pendingOps += 1;
    this.queue.push({ run, onReply, onFail, parent: this.answering, settled: false });
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.flush();
    });
  }

  /**
   * A request finished: its claims leave now, in one write, before its answer is handed to the
   * transport — so they reach the store before the client can send its next request to another
   * replica, whose claims then come after them.
   */
  requestDone(): void {
    if (this.queue.length > 0) this.flush();
  }

  /** Sends the queued claims now, together. */
  flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    const ops = this.queue;
    if (ops.length === 0) return;
    this.queue = [];
    let left = ops.length;
    let finish: () => void = () => undefined;
    const flush: Flush = { ops, children: [], done: new Promise<void>((resolve) => (finish = resolve)) };
    for (const op of ops) if (op.parent !== undefined && !op.parent.children.includes(flush)) op.parent.children.push(flush);
    this.inFlight.add(flush);
    const settle = (op: Op, fn: () => void): void => {
      if (op.settled) return;
      op.settled = true;
      this.pendingOps -= 1;
      const outer = this.answering;
      this.answering = flush;
      try {
        safely(fn);
      } finally {
        this.answering = outer;
      }
      if (--left > 0) return;
      clearTimeout(timer);
      this.inFlight.delete(flush);
      if (this.pendingOps === 0 && this.overloaded > 0) this.overloaded = 0;
      // The re-claims its answers started leave now, so that `settled()` can follow them.
      if (this.queue.some((queued) => queued.parent === flush)) this.flush();
      finish();
    };
    const fail = (op: Op, error: unknown): void => {
      if (op.settled) return;
      this.failed(error);
      settle(op, op.onFail);
    };
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${this.options.timeoutMs} ms`);
      for (const op of ops) fail(op, error);
    }, this.options.timeoutMs);
    timer.unref();
    for (const op of ops) {
      let started: Promise<unknown>;
      try {
        started = op.run();
      } catch (error) {
        started = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      // A late answer after the timeout is ignored; its rejection must not go unhandled.
      started.then(
        (reply) => {
          if (op.settled) return;
          this.succeeded();
          settle(op, () => op.onReply(reply as never));
        },
        (error: unknown) => fail(op, error),
      );
    }
    try {
      this.backend.flush?.();
    } catch (error) {
      // A store that throws here must not break the host's request: its claims failed.
      for (const op of ops) fail(op, error);
    }
  }

  private succeeded(): void {
    if (this.failures === 0) return;
    this.options.warn({
      code: "YAVIO-1221",
      level: "info",
      message: `session store answers again after ${this.failures} failed claims: identity rules hold across replicas again`,
      details: { failedClaims: this.failures },
    });
    this.failures = 0;
  }

  private failed(error: unknown): void {
    if (this.failures++ > 0) return;
    this.options.warn({
      code: "YAVIO-1220",
      message: `session store unavailable (${error instanceof Error ? error.message : String(error)}): sessions go on with this replica's local state, so replicas may disagree until it answers again (said once per episode)`,
    });
  }

  /** Trait values in store form: scrubbed as on events, one JSON text per key. */
  storedTraits(traits: Readonly<Record<string, unknown>> | undefined): StoredTraits {
    if (traits === undefined) return [];
    // The whole object, as an event's user_traits is scrubbed: keys scrubbed too, and a value under
    // a sensitive key (`password`) redacted, which a value alone cannot tell.
    const scrubbed = this.options.scrubValue(traits);
    if (typeof scrubbed !== "object" || scrubbed === null || Array.isArray(scrubbed)) return [];
    const out: (readonly [string, string])[] = [];
    for (const [key, value] of Object.entries(scrubbed)) out.push([key, JSON.stringify(value) ?? "null"]);
    return out;
  }

  parseTraits(stored: StoredTraits): Traits {
    if (stored.length === 0) return EMPTY;
    const out: Record<string, unknown> = {};
    for (const [key, json] of stored) {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        value = json;
      }
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return Object.freeze(out);
  }
}

/**
 * One session's tie to the store: the identity cell new events take, the gate of its start, and
 * which local changes the store has not answered yet (an older answer never undoes a newer local
 * change).
 */
export class SharedLink {
  /** The identity events recorded now are exported with. */
  cell: IdentityCell;
  /** The userId the store last confirmed for this session (store form). */
  confirmedUserId: string | undefined;
  private startGate: EventGate | undefined;
  private touchPending = false;
  private version = 0;
  private sentCounts: SessionCounts = { toolCalls: 0, resourceReads: 0, promptGets: 0, errors: 0 };
  /** Raw ids this replica sent, by store form: an answer naming one of them restores the raw id locally. */
  private readonly rawIds = new Map<string, string>();
  /** The store's identity as last answered, when it has a version: what an `unchanged` touch stands for. */
  private known: SharedView | undefined;
  /** The traits of the last view parsed, and what they parsed to (an unchanged view is not parsed again). */
  private parsedFrom: StoredTraits | undefined;
  private parsedTraits: Traits = EMPTY;

  constructor(
    private readonly shared: SharedSessions,
    private readonly session: SessionState,
  ) {
    this.cell = new IdentityCell(session.userId, session.traits);
  }

  /** The gate of the session_start being recorded now, if a start claim is out. */
  takeStartGate(): EventGate | undefined {
    const gate = this.startGate;
    this.startGate = undefined;
    return gate;
  }

  /** True when the local userId is what the store confirmed (a conflict with it is final). */
  get confirmed(): boolean {
    const local = this.session.userId;
    return local !== undefined && this.confirmedUserId !== undefined && this.stored(local) === this.confirmedUserId;
  }

  /** True when `a` and `b` name the same user in store form (one may be a pseudonym). */
  sameUser(a: string, b: string): boolean {
    return this.stored(a) === this.stored(b);
  }

  private stored(userId: string): string {
    const stored = this.shared.options.storedUserId(userId);
    if (stored !== userId) this.rawIds.set(stored, userId);
    return stored;
  }

  /** A user another replica stored sealed: its raw id, for this replica's events. */
  private learn(view: SharedView): void {
    const { userId, sealedUserId } = view;
    if (userId === undefined || sealedUserId === undefined || this.rawIds.has(userId)) return;
    const raw = this.shared.open(sealedUserId);
    if (raw !== undefined && this.shared.options.storedUserId(raw) === userId) this.rawIds.set(userId, raw);
  }

  private local(stored: string | undefined): string | undefined {
    return stored === undefined ? undefined : (this.rawIds.get(stored) ?? stored);
  }

  /** An answer's view of the identity: kept, by its version, for the touches that follow. */
  private remember(view: SharedView): void {
    if (view.version !== undefined) this.known = view;
  }

  private parsed(traits: StoredTraits): Traits {
    if (traits !== this.parsedFrom) {
      this.parsedTraits = this.shared.parseTraits(traits);
      this.parsedFrom = traits;
    }
    return this.parsedTraits;
  }

  /** Applies an answer to the session unless a newer local change is still unanswered. */
  private adopt(view: SharedView, version: number, cell: IdentityCell): void {
    this.remember(view);
    this.learn(view);
    if (view.userId !== undefined) this.confirmedUserId = view.userId;
    cell.userId = this.local(view.userId) ?? cell.userId;
    if (view.userId !== undefined || view.traits.length > 0) cell.traits = this.parsed(view.traits);
    if (version !== this.version) return;
    this.session.userId = cell.userId;
    this.session.traits = cell.traits;
  }

  /** A sign of life (a request began): refresh the view, claim a run's start. Deduplicated while one is out. */
  touch(): void {
    if (this.touchPending) return;
    this.touchPending = true;
    const session = this.session;
    const cell = new IdentityCell(session.userId, session.traits);
    this.cell = cell;
    const gate: EventGate = { dropped: false };
    // Already started here: a start this touch claims is recorded when the answer comes.
    const alreadyStarted = session.started;
    if (!alreadyStarted) this.startGate = gate;
    const version = this.version;
    const at = Date.now();
    // The view this replica holds: the store answers `unchanged` while it is still its identity.
    const known = this.known;
    this.shared.call(
      () => this.shared.backend.touch(session.id, at, known?.version),
      (reply) => {
        this.touchPending = false;
        const view: SharedView = reply.unchanged === true && known !== undefined ? known : reply;
        this.adopt(view, version, cell);
        if (reply.step > session.stepSequence) session.stepSequence = reply.step;
        if (reply.resumed) session.resumed = true;
        // A start not recorded yet keeps the gate (with its verdict) until it is.
        gate.dropped = !reply.startWon;
        // The store lost what this replica knows (it restarted, or the keys expired): claim it again.
        if (view.userId === undefined && session.userId !== undefined && !session.ended) this.reclaim();
        if (reply.startWon && alreadyStarted && !session.ended) {
          this.cell = new IdentityCell(session.userId, session.traits);
          this.shared.options.lateStart(session);
        }
      },
      () => {
        this.touchPending = false;
      },
    );
  }

  private reclaim(): void {
    const session = this.session;
    const userId = session.userId!;
    this.shared.call(
      () => this.shared.backend.identify(session.id, this.stored(userId), this.shared.storedTraits(session.traits), this.shared.seal(userId)),
      (reply) => {
        this.remember(reply);
        this.learn(reply);
        if (reply.userId !== undefined) this.confirmedUserId = reply.userId;
      },
    );
  }

  /**
   * An identify (or walletAddress) changed or may change the session: a new cell for what follows,
   * and the claim that settles it. The returned claim gates the identify event.
   */
  identify(userId: string | undefined, incoming: Readonly<Record<string, unknown>> | undefined, firstGuess: boolean): IdentifyClaim {
    const session = this.session;
    this.version += 1;
    const version = this.version;
    const cell = new IdentityCell(session.userId, session.traits);
    this.cell = cell;
    const claim = new IdentifyClaim(firstGuess);
    const storedId = userId === undefined ? undefined : this.stored(userId);
    const traits = this.shared.storedTraits(incoming);
    const sealed = userId === undefined ? undefined : this.shared.seal(userId);
    this.shared.call(
      () => this.shared.backend.identify(session.id, storedId, traits, sealed),
      (reply) => {
        this.adopt(reply, version, cell);
        claim.firstIdentify = reply.userIdSet;
        if (!reply.accepted) {
          claim.dropped = true;
          const { shownUserId, warn } = this.shared.options;
          warn({
            code: "YAVIO-1302",
            message: "identify ignored: this session is already identified as another user (found by the session store)",
            sessionId: session.id,
            details: {
              currentUserId: reply.userId === undefined ? undefined : shownUserId(this.local(reply.userId)!),
              attemptedUserId: userId === undefined ? undefined : shownUserId(userId),
            },
          });
        } else if (!reply.userIdSet && !reply.traitsChanged) claim.dropped = true;
      },
    );
    return claim;
  }

  /** A funnel step: numbered by the store's counter, the local guess until it answers. */
  step(): StepNumber {
    const session = this.session;
    const number = new StepNumber(session.stepSequence);
    this.shared.call(
      () => this.shared.backend.step(session.id),
      (value) => {
        number.value = value;
        if (value > session.stepSequence) session.stepSequence = value;
      },
    );
    return number;
  }

  /** Counts carried over from an ended run were counted there: start from them. */
  rebase(): void {
    this.run += 1;
    this.advance();
  }

  /** Which run the counts sent belong to (a rebase starts another). */
  private run = 0;

  private advance(): void {
    const s = this.session;
    this.sentCounts = { toolCalls: s.toolCalls, resourceReads: s.resourceReads, promptGets: s.promptGets, errors: s.errors };
  }

  /** A request finished: its counts go to the store. */
  counted(): void {
    const s = this.session;
    const sent = this.sentCounts;
    const deltas = {
      toolCalls: s.toolCalls - sent.toolCalls,
      resourceReads: s.resourceReads - sent.resourceReads,
      promptGets: s.promptGets - sent.promptGets,
      errors: s.errors - sent.errors,
    };
    if (deltas.toolCalls === 0 && deltas.resourceReads === 0 && deltas.promptGets === 0 && deltas.errors === 0) {
      this.shared.requestDone();
      return;
    }
    // Counted as sent now, so that the next request does not send them twice; a claim that fails
    // gives them back, and the next request's claim carries them.
    this.advance();
    const run = this.run;
    this.shared.call(
      () => this.shared.backend.count(s.id, deltas),
      () => undefined,
      () => {
        // A later rebase (a new run starting from its carried counts) settled what was sent.
        if (this.run !== run) return;
        const now = this.sentCounts;
        this.sentCounts = {
          toolCalls: now.toolCalls - deltas.toolCalls,
          resourceReads: now.resourceReads - deltas.resourceReads,
          promptGets: now.promptGets - deltas.promptGets,
          errors: now.errors - deltas.errors,
        };
      },
    );
    this.shared.requestDone();
  }

  /**
   * The session ended here. Only the replica that claims the end records session_end, with the
   * counts of every replica; an idle end is refused while another replica still sees the session.
   * Without an answer, this replica records its own (the rules may then be broken, and were warned).
   * `now` (the process is exiting): the end is recorded at once with this replica's counts and the
   * claim only tells the store — a second session_end from another replica beats a lost one.
   */
  end(reason: EndReason, at: number, now = false): void {
    const session = this.session;
    const { sessionIdleTimeoutMs, ended } = this.shared.options;
    const idleSince = reason === "idle" ? at - sessionIdleTimeoutMs : undefined;
    if (now) {
      ended(session, reason, at);
      this.shared.call(() => this.shared.backend.end(session.id, at, idleSince), () => undefined);
      // Nothing asynchronous may run any more: the claim is written now, if it can be.
      this.shared.flush();
      return;
    }
    const version = this.version;
    const cell = new IdentityCell(session.userId, session.traits);
    this.shared.call(
      () => this.shared.backend.end(session.id, at, idleSince),
      (reply) => {
        this.adopt(reply, version, cell);
        this.cell = cell;
        if (!reply.won) return;
        if (reply.startedAt !== undefined) session.startedAt = reply.startedAt;
        Object.assign(session, reply.counts);
        ended(session, reason, at);
      },
      () => {
        this.cell = cell;
        ended(session, reason, at);
      },
    );
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A reply handler must never surface as an unhandled rejection.
  }
}
