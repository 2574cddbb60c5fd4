// The Lua script of the Redis session store. It runs atomically in Redis, so each call is one
// step no other replica's command interleaves with, and it carries every claim one replica has for
// one session at a flush (a touch, an identify, steps, counts, an end), applied in order.
//
// KEYS[1] is the session hash, KEYS[2] its traits hash (both tagged with the ses_ id, so they share
// a cluster slot). Session hash fields: user (compare form: the id, or its pseudonym), sealed (the
// id sealed for the replicas, when they share a hashSecret), step, epoch (runs ended so far),
// started (the epoch whose start was claimed), first (when that run started), last (latest
// activity), tc/rr/pg/er (tool calls, resource reads, prompt gets, errors), v (the identity's
// version: changes whenever user, sealed or a trait does; made of Redis's clock when the hash got
// its first identity and a counter, so keys lost and made again never repeat an old version).
// Traits: one field per key, a JSON text.
//
// ARGV: ttlMs, then the claims, each as: name, number of arguments, arguments. The reply has one
// entry per claim, in order.

/** The claim names of the script, as the store sends them. */
export const OP = { touch: "T", identify: "I", step: "S", count: "C", end: "E" } as const;

export const CLAIMS = `
local s, t = KEYS[1], KEYS[2]
local ttl = ARGV[1]

-- The identity changed: a new version.
local function bump()
  local n = redis.call('HINCRBY', s, 'vn', 1)
  if n == 1 then
    local now = redis.call('TIME')
    redis.call('HSET', s, 'vg', now[1] .. ':' .. now[2])
  end
  redis.call('HSET', s, 'v', redis.call('HGET', s, 'vg') .. '.' .. n)
end

local function version()
  return redis.call('HGET', s, 'v') or ''
end

-- A: now, the identity version the replica knows ('' for none). Returns {startWon, epoch,
-- user|false, step, traitsFlat, sealed|false, version, same}: with same = 1 the identity is the
-- known version's, and user, traits and sealed are not sent (false, {}, false).
local function touch(A)
  -- One read of what a touch needs (the request's other claims come after it in this call).
  local h = redis.call('HMGET', s, 'epoch', 'last', 'started', 'step', 'v')
  local epoch = tonumber(h[1] or '0')
  if tonumber(A[1]) > tonumber(h[2] or '0') then redis.call('HSET', s, 'last', A[1]) end
  local won = 0
  if h[3] ~= tostring(epoch) then
    redis.call('HSET', s, 'started', tostring(epoch), 'first', A[1])
    won = 1
  end
  local v = h[5] or ''
  local step = tonumber(h[4] or '0')
  if A[2] ~= nil and A[2] == v then return {won, epoch, false, step, {}, false, v, 1} end
  return {won, epoch, redis.call('HGET', s, 'user'), step, redis.call('HGETALL', t), redis.call('HGET', s, 'sealed'), v, 0}
end

-- A: user ('' for traits only), sealed ('' for none), then key/json pairs. The first user wins;
-- traits merge (later wins per key) only for that user.
-- Returns {accepted, user|false, userSet, traitsChanged, traitsFlat, sealed|false, version}.
local function identify(A)
  local user = A[1]
  local cur = redis.call('HGET', s, 'user')
  if user ~= '' and cur and cur ~= user then
    return {0, cur, 0, 0, redis.call('HGETALL', t), redis.call('HGET', s, 'sealed'), version()}
  end
  local set = 0
  if user ~= '' and not cur then
    redis.call('HSET', s, 'user', user)
    if A[2] ~= '' then redis.call('HSET', s, 'sealed', A[2]) end
    cur = user
    set = 1
  end
  local changed = 0
  for i = 3, #A, 2 do
    if redis.call('HGET', t, A[i]) ~= A[i + 1] then
      redis.call('HSET', t, A[i], A[i + 1])
      changed = 1
    end
  end
  if set == 1 or changed == 1 then bump() end
  return {1, cur, set, changed, redis.call('HGETALL', t), redis.call('HGET', s, 'sealed'), version()}
end

-- Returns the next step number.
local function step(A)
  return redis.call('HINCRBY', s, 'step', 1)
end

-- A: tool calls, resource reads, prompt gets, errors (deltas).
local fields = {'tc', 'rr', 'pg', 'er'}
local function count(A)
  for i = 1, 4 do
    local d = tonumber(A[i])
    if d ~= 0 then redis.call('HINCRBY', s, fields[i], d) end
  end
  return 1
end

-- A: now, idleSince ('' unless an idle end). Claims the end of the current run: refused while
-- another replica saw the session after idleSince, or when the run was not started (already
-- ended). Returns {won, alive, user|false, first|false, tc, rr, pg, er, traitsFlat, sealed|false,
-- version}.
local function finish(A)
  local epoch = tonumber(redis.call('HGET', s, 'epoch') or '0')
  local function counts(won, alive)
    return {won, alive, redis.call('HGET', s, 'user'), redis.call('HGET', s, 'first'),
      tonumber(redis.call('HGET', s, 'tc') or '0'), tonumber(redis.call('HGET', s, 'rr') or '0'),
      tonumber(redis.call('HGET', s, 'pg') or '0'), tonumber(redis.call('HGET', s, 'er') or '0'),
      redis.call('HGETALL', t), redis.call('HGET', s, 'sealed'), version()}
  end
  if A[2] ~= '' and tonumber(redis.call('HGET', s, 'last') or '0') > tonumber(A[2]) then
    return counts(0, 1)
  end
  if redis.call('HGET', s, 'started') ~= tostring(epoch) then
    return counts(0, 0)
  end
  redis.call('HSET', s, 'epoch', tostring(epoch + 1))
  return counts(1, 0)
end

local ops = {T = touch, I = identify, S = step, C = count, E = finish}
local out = {}
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i + 1])
  local A = {}
  for j = 1, n do A[j] = ARGV[i + 1 + j] end
  out[#out + 1] = ops[ARGV[i]](A)
  i = i + 2 + n
end
redis.call('PEXPIRE', s, ttl)
redis.call('PEXPIRE', t, ttl)
return out
`;
