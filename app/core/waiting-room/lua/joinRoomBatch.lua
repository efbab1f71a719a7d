--[[
  Gives places to a batch of shoppers of one sale, in one round trip per batch instead of one
  per join (WaitingRoom.join gathers the joins one process receives while its previous batch is in
  flight). Joins are handled in the order given, exactly as if each were its own call: the
  join limits are counted first (a refused join takes no place), then, before the start, a
  pre-queue draw per session (a refresh or a second tab in the same batch keeps the same
  draw); from the start, the admitted joins take consecutive numbers in batch order with one
  HINCRBY, so no number is taken that no shopper receives. Post-start joins store nothing
  per shopper: the counter is the whole queue (the limit counters expire with their window).
    Input:
      KEYS[1]         room hash
      KEYS[2]         pre-queue sessions hash
      KEYS[1 + 2i]    join counter of join i's client address (this sale's slot), i = 1..N
      KEYS[2 + 2i]    join counter of join i's session (this sale's slot)
      ARGV[1]         joins allowed per address per window (0: no limit, the counter is not touched)
      ARGV[2]         address window (ms)
      ARGV[3]         joins allowed per session per window (0: no limit)
      ARGV[4]         session window (ms)
      ARGV[4 + i]     join i's session binding
    Output: one pair per join, in batch order, flattened:
      'limited', ms until the refusing window closes
      'prequeue', pre-queue number
      'queue', number after the pre-queue
      state, 0   the room takes no tickets: 'scheduled' or 'ended', or nil when not configured
]]
--- @include "../../rate-limit/lua/includes/countHit"
local roomKey, sessionsKey = KEYS[1], KEYS[2]
local addressLimit, addressWindow = tonumber(ARGV[1]), ARGV[2]
local sessionLimit, sessionWindow = tonumber(ARGV[3]), ARGV[4]
local joins = #ARGV - 4

-- ms until the refusing window closes, or -1 when the join may take a place. The limit goes to
-- countHit as `allowed`: a join within it costs one INCR per counter, not an INCR and a PTTL (the
-- address counter is hit by every join from that address); ttl is read only for a refusal.
local function refusal(addressKey, sessionKey)
  local retryMs = -1
  if addressLimit > 0 then
    local count, ttl = countHit(addressKey, addressWindow, addressLimit)
    if count > addressLimit and ttl > retryMs then retryMs = ttl end
  end
  if sessionLimit > 0 then
    local count, ttl = countHit(sessionKey, sessionWindow, sessionLimit)
    if count > sessionLimit and ttl > retryMs then retryMs = ttl end
  end
  return retryMs
end

local state = redis.call('HGET', roomKey, 'state')
local reply = {}
local placed = {}
for i = 1, joins do
  local retryMs = refusal(KEYS[1 + 2 * i], KEYS[2 + 2 * i])
  if retryMs >= 0 then
    reply[2 * i - 1], reply[2 * i] = 'limited', retryMs
  elseif state == 'prequeue' then
    local session = ARGV[4 + i]
    local number = redis.call('HGET', sessionsKey, session)
    if number then
      number = tonumber(number)
    else
      number = redis.call('HINCRBY', roomKey, 'prequeued', 1)
      redis.call('HSET', sessionsKey, session, number)
    end
    reply[2 * i - 1], reply[2 * i] = 'prequeue', number
  elseif state == 'live' or state == 'paused' then
    placed[#placed + 1] = i
  else
    reply[2 * i - 1], reply[2 * i] = state or false, 0
  end
end

if #placed > 0 then
  local first = redis.call('HINCRBY', roomKey, 'issued', #placed) - #placed
  for k, i in ipairs(placed) do
    reply[2 * i - 1], reply[2 * i] = 'queue', first + k
  end
end
return reply
