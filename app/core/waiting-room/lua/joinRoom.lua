--[[
  Gives a shopper a place. Before the start the place is a pre-queue number, one per session
  (a refresh or a second tab keeps the same draw); from the start it is the next number in
  line. Post-start joins store nothing per shopper: the counter is the whole queue.
    Input:
      KEYS[1] room hash
      KEYS[2] pre-queue sessions hash
      ARGV[1] session binding
    Output:
      { 'prequeue', pre-queue number }
      { 'queue', number after the pre-queue }
      { state }  the room takes no tickets: 'scheduled' or 'ended', or nil when not configured
]]
local roomKey, sessionsKey = KEYS[1], KEYS[2]
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
