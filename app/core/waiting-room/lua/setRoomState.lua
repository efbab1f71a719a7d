--[[
  Moves a room through its life: scheduled -> prequeue -> live <-> paused -> ended.
  Starting freezes the pre-queue (its size and the seed of its shuffle), so every pre-queue
  ticket ends ahead of every ticket taken after the start.
    Input:
      KEYS[1] room hash
      ARGV[1] target: 'prequeue' | 'live' | 'paused' | 'ended'
      ARGV[2] now (ms)
      ARGV[3] shuffle seed (used when the room goes live for the first time)
    Output:
      { 'ok', state }
      { 'invalid', current state }  the move is not allowed from the current state
      { 'not_found' }               the room was never configured
]]
local roomKey = KEYS[1]
local target, now = ARGV[1], ARGV[2]
local state = redis.call('HGET', roomKey, 'state')
if not state then return { 'not_found' } end
if state == target then return { 'ok', state } end

local allowed = {
  prequeue = { scheduled = true },
  live = { scheduled = true, prequeue = true, paused = true },
  paused = { live = true },
  ended = { scheduled = true, prequeue = true, live = true, paused = true },
}
if not allowed[target][state] then return { 'invalid', state } end

if target == 'live' and state ~= 'paused' then
  redis.call('HSET', roomKey, 'seed', ARGV[3], 'startedAt', now)
end
-- Admission by rate counts from now: a pause must not bank a burst.
redis.call('HSET', roomKey, 'state', target, 'lastTick', now, 'carry', 0)
return { 'ok', target }
