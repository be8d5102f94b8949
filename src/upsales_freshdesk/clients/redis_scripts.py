"""The Lua scripts of the state shared through Redis, each one atomic in Redis.

:class:`~.redis_guard.RedisGuard` registers them, loads them at warm-up and runs the
heartbeat; the shared throttles, probe gates and retry budgets (:mod:`.redis_budgets`)
run the others. They read the time from Redis (``TIME``), so the processes' clocks need
not agree.
"""

from __future__ import annotations

# ARGV[6]: the ages (ms) of calls this process made on its fallback share while Redis was
# unavailable; they are logged first, so the window holds them when Redis is back.
# A foreground call (a card) gets the earliest slot that keeps <= limit calls in any span
# (window + margin), after any pause. Its slots only move forward, so the log stays
# sorted and the invariant holds by induction. A background call (the sync, ARGV[5] =
# '1') never reserves ahead: it takes "now" only while fewer than its own (lower) limit
# are logged from a span ago onward, future reservations included, and is otherwise told
# when to ask again (reserved = -1). So the sync can only use what the cards leave, a card
# never queues behind it, and every span still holds at most the plan.
THROTTLE_LUA = """
local limit = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local i = 0
for age in string.gmatch(ARGV[6], '%d+') do
  i = i + 1
  redis.call('ZADD', KEYS[1], now - tonumber(age), ARGV[4] .. ':' .. i)
end
local at = now
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then at = now + paused else paused = 0 end
local n = redis.call('ZCARD', KEYS[1])
if ARGV[5] == '1' then
  if paused > 0 then return {paused, -1, paused} end
  if n >= limit then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {math.max(10, tonumber(first[2]) + span - now), -1, 0}
  end
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  if redis.call('PTTL', KEYS[1]) < span + 1000 then redis.call('PEXPIRE', KEYS[1], span + 1000) end
  return {0, 1, 0}
end
if n > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if tonumber(last[2]) > at then at = tonumber(last[2]) end
end
if n >= limit then
  local e = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  local free = tonumber(e[2]) + span
  if free > at then at = free end
end
local wait = at - now
if wait > max_wait then return {wait, 0, paused} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < wait + span + 1000 then redis.call('PEXPIRE', KEYS[1], wait + span + 1000) end
return {wait, 1, paused}
"""

# A shared account's probe gate (see throttle.ProbeGate): KEYS[1] the probes in flight (each
# scored with the time it is given up), KEYS[2] the refused ones (scored when refused).
GATE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) + 1000 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
end
return 1
"""

GATE_LEAVE_LUA = """
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]))
end
return 1
"""

# Every process says it is alive once per HEARTBEAT_SECONDS; the live ones are counted, so
# each knows its share of a plan for when Redis fails.
HEARTBEAT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
"""

PAUSE_LUA = """
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
"""

# Spend (negative delta) only when the bucket holds enough; refunds are capped.
BUDGET_LUA = """
local cap = tonumber(ARGV[1])
local delta = tonumber(ARGV[2])
local tokens = tonumber(redis.call('GET', KEYS[1]) or cap)
local ok = 1
if delta < 0 and tokens + delta < 0 then ok = 0 else tokens = math.min(cap, tokens + delta) end
redis.call('SET', KEYS[1], tostring(tokens), 'PX', tonumber(ARGV[3]))
return {ok, tostring(tokens)}
"""


#: Loaded at warm-up, so the first calls of a busy process need no round trip to load them.
SCRIPTS = (THROTTLE_LUA, PAUSE_LUA, BUDGET_LUA, HEARTBEAT_LUA, GATE_LUA, GATE_LEAVE_LUA)
