--[[
  Writes a room's schedule and admission settings. A new room starts in the given state with
  its counters at zero; an existing room keeps its state and counters.
    Input:
      KEYS[1] room hash
      ARGV[1] state for a new room ('scheduled' or 'prequeue')
      ARGV[2..] setting name, value pairs (mode, perMinute, maxActive, passMs, holdMs, storeId,
                prequeueAt, startsAt, endsAt)
    Output:
      the room's state
]]
local roomKey = KEYS[1]
for i = 2, #ARGV, 2 do
  redis.call('HSET', roomKey, ARGV[i], ARGV[i + 1])
end
if redis.call('HSETNX', roomKey, 'state', ARGV[1]) == 1 then
  redis.call('HSET', roomKey, 'prequeued', 0, 'issued', 0, 'serving', 0, 'carry', 0, 'lastTick', 0, 'soldOut', 0)
end
return redis.call('HGET', roomKey, 'state')
