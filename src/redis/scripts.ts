// The Lua scripts of the Redis session store. Each runs atomically in Redis, so one call is one
// claim: no other replica's command runs between its read and its write.
//
// KEYS[1] is the session hash, KEYS[2] its traits hash (both tagged with the ses_ id, so they share
// a cluster slot). Session hash fields: user, step, epoch (runs ended so far), started (the epoch
// whose start was claimed), first (when that run started), last (latest activity), tc/rr/pg/er
// (tool calls, resource reads, prompt gets, errors). Traits: one field per key, a JSON text.

/** ARGV: now, ttlMs. Returns {startWon, epoch, user|false, step, traitsFlat}. */
export const TOUCH = `
local s, t = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
local epoch = tonumber(redis.call('HGET', s, 'epoch') or '0')
local last = tonumber(redis.call('HGET', s, 'last') or '0')
if now > last then redis.call('HSET', s, 'last', ARGV[1]) end
local won = 0
if redis.call('HGET', s, 'started') ~= tostring(epoch) then
  redis.call('HSET', s, 'started', tostring(epoch), 'first', ARGV[1])
  won = 1
end
redis.call('PEXPIRE', s, ARGV[2])
redis.call('PEXPIRE', t, ARGV[2])
return {won, epoch, redis.call('HGET', s, 'user'), tonumber(redis.call('HGET', s, 'step') or '0'), redis.call('HGETALL', t)}
`;

/**
 * ARGV: ttlMs, user ('' for traits only), then key/json pairs. The first user wins; traits merge
 * (later wins per key) only for that user. Returns {accepted, user|false, userSet, traitsChanged, traitsFlat}.
 */
export const IDENTIFY = `
local s, t = KEYS[1], KEYS[2]
local user = ARGV[2]
local cur = redis.call('HGET', s, 'user')
if user ~= '' and cur and cur ~= user then
  return {0, cur, 0, 0, redis.call('HGETALL', t)}
end
local set = 0
if user ~= '' and not cur then
  redis.call('HSET', s, 'user', user)
  cur = user
  set = 1
end
local changed = 0
for i = 3, #ARGV, 2 do
  if redis.call('HGET', t, ARGV[i]) ~= ARGV[i + 1] then
    redis.call('HSET', t, ARGV[i], ARGV[i + 1])
    changed = 1
  end
end
redis.call('PEXPIRE', s, ARGV[1])
redis.call('PEXPIRE', t, ARGV[1])
return {1, cur, set, changed, redis.call('HGETALL', t)}
`;

/** ARGV: ttlMs. Returns the next step number. */
export const STEP = `
local n = redis.call('HINCRBY', KEYS[1], 'step', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
`;

/** ARGV: ttlMs, tool calls, resource reads, prompt gets, errors (deltas). */
export const COUNT = `
local s = KEYS[1]
local fields = {'tc', 'rr', 'pg', 'er'}
for i = 1, 4 do
  local d = tonumber(ARGV[i + 1])
  if d ~= 0 then redis.call('HINCRBY', s, fields[i], d) end
end
redis.call('PEXPIRE', s, ARGV[1])
return 1
`;

/**
 * ARGV: now, idleSince ('' unless an idle end), ttlMs. Claims the end of the current run: refused
 * while another replica saw the session after idleSince, or when the run was not started (already
 * ended). Returns {won, alive, user|false, first|false, tc, rr, pg, er, traitsFlat}.
 */
export const END = `
local s, t = KEYS[1], KEYS[2]
local epoch = tonumber(redis.call('HGET', s, 'epoch') or '0')
local user = redis.call('HGET', s, 'user')
local traits = redis.call('HGETALL', t)
local function counts(won, alive)
  return {won, alive, user, redis.call('HGET', s, 'first'),
    tonumber(redis.call('HGET', s, 'tc') or '0'), tonumber(redis.call('HGET', s, 'rr') or '0'),
    tonumber(redis.call('HGET', s, 'pg') or '0'), tonumber(redis.call('HGET', s, 'er') or '0'), traits}
end
if ARGV[2] ~= '' and tonumber(redis.call('HGET', s, 'last') or '0') > tonumber(ARGV[2]) then
  return counts(0, 1)
end
if redis.call('HGET', s, 'started') ~= tostring(epoch) then
  return counts(0, 0)
end
redis.call('HSET', s, 'epoch', tostring(epoch + 1))
redis.call('PEXPIRE', s, ARGV[3])
return counts(1, 0)
`;
