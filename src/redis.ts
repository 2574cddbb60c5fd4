/**
 * yavio-mcp/redis — a session store shared by the replicas of a server, in Redis, so that the
 * identity rules (first userId wins, one session_start and one session_end, step numbers without
 * gaps) hold whichever replica serves a request. Needs the `ioredis` package (an optional peer) when
 * given a URL; accepts an ioredis or node-redis client you already have.
 *
 * Anything exported here is public API. Named exports only; types with `export type`.
 */
export { redisSessionStore } from "./redis/redis-session-store.js";
export type { IoRedisLikeClient, NodeRedisLikeClient, RedisSessionStore, RedisSessionStoreOptions } from "./redis/redis-session-store.js";
export type { SessionStore } from "./core/index.js";
