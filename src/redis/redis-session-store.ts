import { createHash } from "node:crypto";
import type {
  EndReply,
  IdentifyReply,
  SessionCounts,
  SessionStore,
  SharedSessionBackend,
  SharedStoreContext,
  StoredTraits,
  TouchReply,
} from "../core/index.js";
import { InMemorySessionStore } from "../core/index.js";
import { YavioConfigError } from "../warnings/index.js";
import { CLAIMS, OP } from "./scripts.js";

/** A node-redis client (`redis` ≥ 5), as far as this store uses it. */
export interface NodeRedisLikeClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client, as far as this store uses it. */
export interface IoRedisLikeClient {
  call(command: string, ...args: string[]): Promise<unknown>;
  /** Used when there (not on a cluster): the claims of one flush go in one write. */
  pipeline?(commands: string[][]): { exec(): Promise<[Error | null, unknown][] | null> };
  isCluster?: boolean;
}

/** Options of `redisSessionStore`: a URL (the store opens and closes its client) or your client. */
export type RedisSessionStoreOptions = (
  | {
      /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…`; needs the `ioredis` package. */
      url: string;
      client?: undefined;
    }
  | {
      /**
       * A client you opened (ioredis, or node-redis ≥ 5). Never closed by the store. Give it
       * `enableOfflineQueue: false` (ioredis) / `disableOfflineQueue: true` (node-redis) so that claims
       * fail at once while Redis is down. node-redis writes commands on the next turn of the event
       * loop, which widens the window before a claim reaches Redis.
       */
      client: NodeRedisLikeClient | IoRedisLikeClient;
      url?: undefined;
    }
) & {
  /** Prefix of every key. Default `"yavio:"`. */
  keyPrefix?: string | undefined;
  /** How long a session's keys live after its last activity. Default: twice `sessionIdleTimeoutMs`. */
  ttlMs?: number | undefined;
  /**
   * How long a claim may take before the replica goes on with its local state (and warns
   * YAVIO-1220); the pipeline waits at most this long for claims before a batch. Default 1000.
   */
  claimTimeoutMs?: number | undefined;
  /** The name the store's own connection shows in `CLIENT LIST` (with `url`). Default `"yavio-mcp"`. */
  connectionName?: string | undefined;
};

/** How long the store's own connection attempt may take. */
const CONNECT_TIMEOUT_MS = 2000;

/** One command's outcome in a batch. */
type Outcome = [error: Error | null, reply: unknown];
/** Sends commands together (one write where the client allows) and settles with each one's outcome. */
type SendBatch = (commands: string[][]) => Promise<Outcome[]>;

interface OwnedClient {
  send: SendBatch;
  destroy(): void;
}

/** A claim waiting for the next send. */
interface Outgoing {
  readonly id: string;
  readonly op: string;
  readonly args: readonly string[];
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The claims of one session at a send: one script call (the whole command, from EVALSHA on). */
interface ScriptCall {
  readonly id: string;
  readonly command: string[];
  readonly claims: Outgoing[];
}

/** The store `redisSessionStore` returns: a `SessionStore`, and a way to wait for its connection. */
export interface RedisSessionStore extends SessionStore {
  /**
   * Opens the connection now (for a URL) and settles once the first attempt did: `true` if Redis
   * answers. Optional: a replica that takes traffic before it is connected goes on with local state
   * for those first claims. Never rejects.
   * @example await sessionStore.ready();
   */
  ready(): Promise<boolean>;
}

/**
 * A session store shared by every replica of a server, in Redis: the identity rules hold for a
 * session whichever replica serves its requests. Only derived sessions (a `sessionKey` anchor, an
 * `Mcp-Session-Id`, an auth principal) are shared — their `ses_` id is the same on every replica
 * given the same `hashSecret`. Nothing on the tool's path waits for Redis: see the README section
 * "Sessions across replicas (Redis)".
 *
 * @example
 * import { withYavio } from "yavio-mcp";
 * import { redisSessionStore } from "yavio-mcp/redis";
 * const sessionStore = redisSessionStore({ url: process.env.REDIS_URL! }); // once, not per request
 * withYavio(server, { sessionStore, sessionKey: (extra) => extra.requestInfo?.headers?.["x-conversation-id"] as string | undefined });
 */
export function redisSessionStore(options: RedisSessionStoreOptions): RedisSessionStore {
  return new RedisStore(options);
}

class RedisStore extends InMemorySessionStore implements RedisSessionStore {
  private readonly url: string | undefined;
  private readonly hostClient: NodeRedisLikeClient | IoRedisLikeClient | undefined;
  private readonly prefix: string;
  private readonly ttlOption: number | undefined;
  private readonly connectionName: string;
  private readonly claimTimeoutMs: number | undefined;
  private owned: Promise<OwnedClient | undefined> | undefined;
  /** The store's own client once its first connection attempt settled: used without waiting. */
  private ownedNow: OwnedClient | undefined;
  private users = 0;
  /** The last configuration using it shut down: no claim opens a connection again. */
  private closed = false;
  private readonly sha = createHash("sha1").update(CLAIMS).digest("hex");

  constructor(options: RedisSessionStoreOptions) {
    super();
    if (typeof options !== "object" || options === null) throw new YavioConfigError("YAVIO-1003", "redisSessionStore needs { url } or { client }");
    const { url, client } = options;
    if ((url === undefined) === (client === undefined)) throw new YavioConfigError("YAVIO-1003", "redisSessionStore needs exactly one of { url } or { client }");
    if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\//.test(url))) {
      throw new YavioConfigError("YAVIO-1003", "redisSessionStore: url must start with redis:// or rediss://");
    }
    if (client !== undefined && !isClient(client)) {
      throw new YavioConfigError("YAVIO-1003", "redisSessionStore: client must be a node-redis client (sendCommand) or an ioredis client (call)");
    }
    const prefix = options.keyPrefix ?? "yavio:";
    if (typeof prefix !== "string") throw new YavioConfigError("YAVIO-1003", "redisSessionStore: keyPrefix must be a string");
    const ttl = options.ttlMs;
    if (ttl !== undefined && (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1000)) {
      throw new YavioConfigError("YAVIO-1003", "redisSessionStore: ttlMs must be an integer ≥ 1000");
    }
    this.url = url;
    this.hostClient = client;
    this.prefix = prefix;
    this.ttlOption = ttl;
    const name = options.connectionName ?? "yavio-mcp";
    if (typeof name !== "string" || !/^[\x21-\x7e]+$/.test(name)) throw new YavioConfigError("YAVIO-1003", "redisSessionStore: connectionName must be printable ASCII without spaces");
    this.connectionName = name;
    const timeout = options.claimTimeoutMs;
    if (timeout !== undefined && (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > 60_000)) {
      throw new YavioConfigError("YAVIO-1003", "redisSessionStore: claimTimeoutMs must be an integer between 1 and 60000");
    }
    this.claimTimeoutMs = timeout;
  }

  ready(): Promise<boolean> {
    const attempt = (async (): Promise<boolean> => {
      try {
        if (this.hostClient === undefined && (this.closed || (await this.ownedClient()) === undefined)) return false;
        const [outcome] = await this.sendBatch([["PING"]]);
        return outcome !== undefined && outcome[0] === null;
      } catch {
        return false;
      }
    })();
    // The store's socket and reconnect timer are unref'd: a host that awaits ready() at the top
    // level would see its process end under the await (exit 13). This timer, ref'd, holds the
    // event loop until the first attempt settled, and bounds it.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS + (this.claimTimeoutMs ?? 1000));
    });
    return Promise.race([attempt, bound]).finally(() => clearTimeout(timer));
  }

  connectShared(context: SharedStoreContext): SharedSessionBackend {
    this.users += 1;
    this.closed = false;
    // Connect now, not at the first request: the first claims then find the connection open.
    if (this.hostClient === undefined) void this.ownedClient();
    const ttl = String(this.ttlOption ?? 2 * context.sessionIdleTimeoutMs);
    const keys = (id: string): [string, string] => [`${this.prefix}{${id}}:s`, `${this.prefix}{${id}}:t`];
    // The claims asked for since the last send: they leave together, in one write, one script
    // call per session (the claims of a request are one session's: one call, built in one array).
    let outgoing: Outgoing[] = [];
    let sendQueued = false;
    const send = (): void => {
      sendQueued = false;
      if (outgoing.length === 0) return;
      const batch = outgoing;
      outgoing = [];
      const calls: ScriptCall[] = [];
      let call: ScriptCall | undefined;
      for (const claim of batch) {
        if (call === undefined || call.id !== claim.id) call = calls.find((c) => c.id === claim.id);
        if (call === undefined) {
          const [s, t] = keys(claim.id);
          call = { id: claim.id, command: ["EVALSHA", this.sha, "2", s, t, ttl], claims: [] };
          calls.push(call);
        }
        const command = call.command;
        command.push(claim.op, String(claim.args.length));
        for (const arg of claim.args) command.push(arg);
        call.claims.push(claim);
      }
      this.runScripts(calls);
    };
    const run = (id: string, op: string, args: readonly string[]): Promise<unknown> =>
      new Promise((resolve, reject) => {
        outgoing.push({ id, op, args, resolve, reject });
        // The core sends with flush(); a caller that does not still has its claim sent.
        if (!sendQueued) {
          sendQueued = true;
          queueMicrotask(send);
        }
      });
    return {
      claimTimeoutMs: this.claimTimeoutMs,
      flush: send,
      touch: async (id, at, knownVersion): Promise<TouchReply> => {
        const r = asArray(await run(id, OP.touch, knownVersion === undefined ? [String(at)] : [String(at), knownVersion]));
        return {
          startWon: num(r[0]) === 1,
          resumed: num(r[1]) > 0,
          userId: str(r[2]),
          step: num(r[3]),
          traits: pairs(r[4]),
          sealedUserId: str(r[5]),
          version: str(r[6]) ?? "",
          unchanged: num(r[7]) === 1,
        };
      },
      identify: async (id, userId, traits, sealedUserId): Promise<IdentifyReply> => {
        const args = [userId ?? "", sealedUserId ?? ""];
        for (const [key, json] of traits) args.push(key, json);
        const r = asArray(await run(id, OP.identify, args));
        return {
          accepted: num(r[0]) === 1,
          userId: str(r[1]),
          userIdSet: num(r[2]) === 1,
          traitsChanged: num(r[3]) === 1,
          traits: pairs(r[4]),
          sealedUserId: str(r[5]),
          version: str(r[6]) ?? "",
        };
      },
      step: async (id): Promise<number> => num(await run(id, OP.step, [])),
      count: async (id, d: SessionCounts): Promise<void> => {
        await run(id, OP.count, [String(d.toolCalls), String(d.resourceReads), String(d.promptGets), String(d.errors)]);
      },
      end: async (id, at, idleSince): Promise<EndReply> => {
        const r = asArray(await run(id, OP.end, [String(at), idleSince === undefined ? "" : String(idleSince)]));
        const first = str(r[3]);
        return {
          won: num(r[0]) === 1,
          alive: num(r[1]) === 1,
          userId: str(r[2]),
          startedAt: first === undefined ? undefined : Number(first),
          counts: { toolCalls: num(r[4]), resourceReads: num(r[5]), promptGets: num(r[6]), errors: num(r[7]) },
          traits: pairs(r[8]),
          sealedUserId: str(r[9]),
          version: str(r[10]) ?? "",
        };
      },
    };
  }

  /** One configuration stopped using the store; the last one closes the client the store opened. */
  close(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return Promise.resolve();
    this.closed = true;
    this.ownedNow = undefined;
    if (this.owned === undefined) return Promise.resolve();
    const owned = this.owned;
    this.owned = undefined;
    return owned.then((client) => client?.destroy()).catch(() => undefined);
  }

  /**
   * Sends script calls in one batch, by SHA (EVALSHA); the ones Redis does not know yet (first use,
   * or Redis restarted and forgot its scripts) go again with their text (EVAL), in a second batch.
   */
  private runScripts(calls: readonly ScriptCall[]): void {
    const settle = (sent: readonly ScriptCall[], outcomes: readonly Outcome[], retry: ScriptCall[] | undefined): void => {
      sent.forEach((call, i) => {
        const [error, reply] = outcomes[i] ?? [new Error("no reply from the session store"), undefined];
        if (error === null) {
          const replies = Array.isArray(reply) ? (reply as unknown[]) : [];
          call.claims.forEach((claim, j) => (j < replies.length ? claim.resolve(replies[j]) : claim.reject(new Error("unexpected reply from the session store"))));
        } else if (retry !== undefined && String(error.message).includes("NOSCRIPT")) retry.push(call);
        else for (const claim of call.claims) claim.reject(error);
      });
    };
    const failAll = (sent: readonly ScriptCall[]) => (error: unknown) => {
      for (const call of sent) for (const claim of call.claims) claim.reject(error);
    };
    this.sendBatch(calls.map((call) => call.command)).then((outcomes) => {
      const retry: ScriptCall[] = [];
      settle(calls, outcomes, retry);
      if (retry.length === 0) return;
      this.sendBatch(retry.map((call) => ["EVAL", CLAIMS, ...call.command.slice(2)])).then((again) => settle(retry, again, undefined), failAll(retry));
    }, failAll(calls));
  }

  /** Sends commands on the host's client or the store's own, together where the client allows. */
  private sendBatch(commands: string[][]): Promise<Outcome[]> {
    const host = this.hostClient;
    if (host !== undefined) return hostBatch(host, commands);
    // Connected already: written now, within this call (the exit path cannot wait for a turn).
    if (this.ownedNow !== undefined) return this.ownedNow.send(commands);
    return (async () => {
      const client = this.closed ? undefined : await this.ownedClient();
      if (client === undefined) throw new Error(this.closed ? "the session store is closed" : "the ioredis package is not installed");
      return client.send(commands);
    })();
  }

  /**
   * The client this store opens from its URL (ioredis): connected at once, in the background, never
   * awaited on the tool's path. The claims of one flush go out as one pipeline (one write).
   */
  private ownedClient(): Promise<OwnedClient | undefined> {
    this.owned ??= import("ioredis").then(
      (module) => {
        const Redis = module.Redis;
        const client = new Redis(this.url!, {
          lazyConnect: true,
          connectionName: this.connectionName,
          // While Redis is down a command fails at once (the core goes on with local state)
          // instead of queueing without bound.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: CONNECT_TIMEOUT_MS,
          retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
        });
        // The analytics connection and its reconnect timer must not keep the host's process alive.
        const unref = (): void => {
          client.stream?.unref?.();
          (client as unknown as { reconnectTimeout?: NodeJS.Timeout | null }).reconnectTimeout?.unref?.();
        };
        client.on("connect", unref);
        client.on("reconnecting", () => setImmediate(unref).unref());
        const owned: OwnedClient = {
          send: (commands) => pipelined(client, commands),
          destroy: () => client.disconnect(),
        };
        // The first claims wait for the first connection attempt (bounded by the claim timeout);
        // after a failure they fail at once until Redis is back. Connection errors surface as
        // failed claims (YAVIO-1220, once per episode).
        return new Promise<OwnedClient>((resolve) => {
          const settle = (): void => {
            if (!this.closed && this.owned !== undefined) this.ownedNow = owned;
            resolve(owned);
          };
          client.on("error", settle);
          client.connect().then(settle, settle);
          unref();
        });
      },
      () => undefined,
    );
    return this.owned;
  }
}

/** A pipeline on an ioredis client: one write for the whole batch. Never rejects. */
function pipelined(client: Required<Pick<IoRedisLikeClient, "pipeline" | "call">>, commands: string[][]): Promise<Outcome[]> {
  // One command (the common case: one session's claims): no pipeline object to build.
  if (commands.length === 1) return one(commands[0]!, ([command, ...args]) => client.call(command!, ...args));
  let exec: Promise<[Error | null, unknown][] | null>;
  try {
    // ioredis names a pipeline's commands by their method names (lower case).
    exec = client.pipeline(commands.map(([command, ...args]) => [command!.toLowerCase(), ...args])).exec();
  } catch (error) {
    exec = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return exec.then(
    (outcomes) => outcomes ?? commands.map((): Outcome => [new Error("the pipeline was discarded"), undefined]),
    (error: unknown) => commands.map((): Outcome => [error instanceof Error ? error : new Error(String(error)), undefined]),
  );
}

/** A batch on the host's client: an ioredis pipeline (not on a cluster, where keys of one pipeline must share a slot), or one call each (node-redis pipelines the commands of one turn by itself). */
function hostBatch(host: NodeRedisLikeClient | IoRedisLikeClient, commands: string[][]): Promise<Outcome[]> {
  const io = host as IoRedisLikeClient;
  if (typeof io.call === "function") {
    if (typeof io.pipeline === "function" && io.isCluster !== true) return pipelined(io as Required<IoRedisLikeClient>, commands);
    return each(commands, ([command, ...args]) => io.call(command!, ...args));
  }
  const nodeRedis = host as NodeRedisLikeClient;
  return each(commands, (args) => nodeRedis.sendCommand(args));
}

/** One command's outcome, as a batch of one. Never rejects. */
function one(command: string[], send: (args: string[]) => Promise<unknown>): Promise<Outcome[]> {
  let sent: Promise<unknown>;
  try {
    sent = send(command);
  } catch (error) {
    sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return sent.then(
    (reply): Outcome[] => [[null, reply]],
    (error: unknown): Outcome[] => [[error instanceof Error ? error : new Error(String(error)), undefined]],
  );
}

function each(commands: string[][], send: (args: string[]) => Promise<unknown>): Promise<Outcome[]> {
  return Promise.all(
    commands.map((args) => {
      let sent: Promise<unknown>;
      try {
        sent = send(args);
      } catch (error) {
        sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return sent.then(
        (reply): Outcome => [null, reply],
        (error: unknown): Outcome => [error instanceof Error ? error : new Error(String(error)), undefined],
      );
    }),
  );
}

function isClient(client: unknown): boolean {
  if (typeof client !== "object" || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.sendCommand === "function" || typeof c.call === "function";
}

function asArray(reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new Error("unexpected reply from the session store");
  return reply;
}

function num(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function str(value: unknown): string | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return typeof value === "number" ? String(value) : undefined;
}

function pairs(value: unknown): StoredTraits {
  if (!Array.isArray(value)) return [];
  const out: (readonly [string, string])[] = [];
  for (let i = 0; i + 1 < value.length; i += 2) out.push([str(value[i]) ?? "", str(value[i + 1]) ?? "null"]);
  return out;
}
