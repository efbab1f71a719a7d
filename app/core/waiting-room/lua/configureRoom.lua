--[[
  Writes a room's schedule and admission settings. A new room starts in the given state with
  its counters at zero; an existing room keeps its state and counters.
    Input:
      KEYS[1] room hash
      KEYS[2] registry set of rooms the admission controller looks after
      ARGV[1] sale id
      ARGV[2] state for a new room ('scheduled' or 'prequeue')
      ARGV[3..] setting name, value pairs (mode, perMinute, maxActive, passMs, prequeueAt, startsAt, endsAt)
    Output:
      the room's state
]]
local roomKey, registryKey = KEYS[1], KEYS[2]
for i = 3, #ARGV, 2 do
  redis.call('HSET', roomKey, ARGV[i], ARGV[i + 1])
end
if redis.call('HSETNX', roomKey, 'state', ARGV[2]) == 1 then
  redis.call('HSET', roomKey, 'prequeued', 0, 'issued', 0, 'serving', 0, 'carry', 0, 'lastTick', 0, 'soldOut', 0)
end
local state = redis.call('HGET', roomKey, 'state')
if state ~= 'ended' then redis.call('SADD', registryKey, ARGV[1]) end
return state
