/**
 * A touch names the identity version its replica holds; Redis sends the identity (user, traits,
 * sealed id) only when it changed since. Versions never repeat, even after the keys were lost.
 */
import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { redisSessionStore } from "../../src/redis.js";
import { describeRedis, testPrefix } from "./redis-env.js";

describeRedis("Redis session store: identity versions", (url) => {
  it("a touch naming the current version gets no identity; a change, or keys lost and made again, gives a new version and the identity", async () => {
    const prefix = testPrefix();
    const store = redisSessionStore({ url, keyPrefix: prefix });
    const backend = store.connectShared!({ sessionIdleTimeoutMs: 60_000, warn: () => undefined });
    const probe = new Redis(url);
    try {
      expect(await store.ready()).toBe(true);
      const id = "ses_version_test";
      const fresh = await backend.touch(id, Date.now());
      expect(fresh.unchanged).toBe(false);
      expect(fresh.version).toBe("");

      const first = await backend.identify(id, "uh_one", [["plan", '"pro"']]);
      expect(first.version).not.toBe("");
      const same = await backend.touch(id, Date.now(), first.version);
      expect(same).toMatchObject({ unchanged: true, version: first.version, userId: undefined, traits: [] });
      // Naming an older version (or none) gets the identity.
      const stale = await backend.touch(id, Date.now(), "");
      expect(stale).toMatchObject({ unchanged: false, version: first.version, userId: "uh_one", traits: [["plan", '"pro"']] });

      // A trait set to the value it has changes nothing; another value is a new version.
      expect((await backend.identify(id, undefined, [["plan", '"pro"']])).version).toBe(first.version);
      const second = await backend.identify(id, undefined, [["plan", '"team"']]);
      expect(second.version).not.toBe(first.version);
      expect(await backend.touch(id, Date.now(), first.version)).toMatchObject({ unchanged: false, userId: "uh_one", traits: [["plan", '"team"']] });

      // Keys lost (expired, or Redis restarted without them): the identity made again has a version
      // of its own, never one a replica may still hold.
      await probe.del(`${prefix}{${id}}:s`, `${prefix}{${id}}:t`);
      expect(await backend.touch(id, Date.now(), second.version)).toMatchObject({ unchanged: false, userId: undefined, traits: [], version: "" });
      const again = await backend.identify(id, "uh_one", [["plan", '"pro"']]);
      expect([first.version, second.version]).not.toContain(again.version);
      expect(await backend.touch(id, Date.now(), first.version)).toMatchObject({ unchanged: false, userId: "uh_one" });
    } finally {
      probe.disconnect();
      await store.close!();
    }
  });
});
