--[[
  Gives a shopper a place, after the join rate limits, in one round trip. Before the start
  the place is a pre-queue number, one per session (a refresh or a second tab keeps the same
  draw); from the start it is the next number in line. Post-start joins store nothing per
  shopper: the counter is the whole queue (the limit counters expire with their window).
    Input:
      KEYS[1] room hash
      KEYS[2] pre-queue sessions hash
      KEYS[3] join counter of the client address (this sale's slot)
      KEYS[4] join counter of the session (this sale's slot)
      ARGV[1] session binding
      ARGV[2] joins allowed per address per window (0: no limit, the counter is not touched)
      ARGV[3] address window (ms)
      ARGV[4] joins allowed per session per window (0: no limit)
      ARGV[5] session window (ms)
    Output:
      { 'limited', ms until the refusing window closes }
      { 'prequeue', pre-queue number }
      { 'queue', number after the pre-queue }
      { state }  the room takes no tickets: 'scheduled' or 'ended', or nil when not configured
]]
--- @include "../../rate-limit/lua/includes/countHit"
local roomKey, sessionsKey = KEYS[1], KEYS[2]

local retryMs = -1
local function limit(key, allowed, windowMs)
  allowed = tonumber(allowed)
  if allowed <= 0 then return end
  local count, ttl = countHit(key, windowMs)
  if count > allowed and ttl > retryMs then retryMs = ttl end
end
limit(KEYS[3], ARGV[2], ARGV[3])
limit(KEYS[4], ARGV[4], ARGV[5])
if retryMs >= 0 then return { 'limited', retryMs } end

local state = redis.call('HGET', roomKey, 'state')
if state == 'prequeue' then
  local existing = redis.call('HGET', sessionsKey, ARGV[1])
  if existing then return { 'prequeue', tonumber(existing) } end
  local number = redis.call('HINCRBY', roomKey, 'prequeued', 1)
  redis.call('HSET', sessionsKey, ARGV[1], number)
  return { 'prequeue', number }
end
if state == 'live' or state == 'paused' then
  return { 'queue', redis.call('HINCRBY', roomKey, 'issued', 1) }
end
return { state or false }
