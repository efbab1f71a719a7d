--[[
  One tick of the admission controller for one room: advances the serving counter by rate
  and/or capacity, never past the units left for sale, and records the batch so passes
  can expire and return their capacity.
    Input:
      KEYS[1] room hash
      KEYS[2] admissions zset ("<first>-<last>" scored by admission time)
      KEYS[3] spent passes hash (first position of a batch -> passes spent)
      KEYS[4] the sale's stock hash (inventory)
      KEYS[5] the sale's holds hash (inventory)
      ARGV[1] now (ms)
    Output:
      { state, admitted now, serving, still waiting, sold out (0|1) }
]]
local roomKey, admissionsKey, spentKey, stockKey, holdsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now = tonumber(ARGV[1])
local room = redis.call('HMGET', roomKey, 'state', 'mode', 'perMinute', 'maxActive', 'passMs',
  'prequeued', 'issued', 'serving', 'carry', 'lastTick')
local state, mode = room[1], room[2]
local perMinute, maxActive, passMs = tonumber(room[3]) or 0, tonumber(room[4]) or 0, tonumber(room[5]) or 0
local queued = (tonumber(room[6]) or 0) + (tonumber(room[7]) or 0)
local serving, carry, lastTick = tonumber(room[8]) or 0, tonumber(room[9]) or 0, tonumber(room[10]) or now

local available = 0
local stock = redis.call('HGETALL', stockKey)
for i = 1, #stock, 2 do
  if string.sub(stock[i], -6) == ':avail' then available = available + tonumber(stock[i + 1]) end
end
local soldOut = (#stock > 0 and available <= 0) and 1 or 0
redis.call('HSET', roomKey, 'soldOut', soldOut)
if state ~= 'live' then return { state or false, 0, serving, queued - serving, soldOut } end

-- Batches whose passes have expired give their unspent capacity back.
local expired = redis.call('ZRANGE', admissionsKey, '-inf', '(' .. (now - passMs), 'BYSCORE')
for _, batch in ipairs(expired) do
  redis.call('HDEL', spentKey, string.match(batch, '^(%d+)'))
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', admissionsKey, '-inf', '(' .. (now - passMs)) end

local outstanding = 0
for _, batch in ipairs(redis.call('ZRANGE', admissionsKey, 0, -1)) do
  local first, last = string.match(batch, '^(%d+)-(%d+)$')
  outstanding = outstanding + (last - first + 1) - tonumber(redis.call('HGET', spentKey, first) or '0')
end

local admit = queued - serving
if mode == 'off' then
  admit = math.max(admit, 0)
else
  if string.find(mode, 'rate', 1, true) then
    -- At most one second of rate may be banked, so a stall never turns into a burst.
    carry = math.min(carry + perMinute * (now - lastTick) / 60000, math.max(1, perMinute / 60))
    admit = math.min(admit, math.floor(carry))
  end
  if string.find(mode, 'capacity', 1, true) then
    admit = math.min(admit, maxActive - outstanding - redis.call('HLEN', holdsKey))
  end
  -- Stock-aware: never more shoppers holding a pass than units left to sell.
  admit = math.min(admit, available - outstanding)
  admit = math.max(admit, 0)
  if string.find(mode, 'rate', 1, true) then carry = carry - admit end
end

if admit > 0 then
  redis.call('ZADD', admissionsKey, now, (serving + 1) .. '-' .. (serving + admit))
  serving = serving + admit
end
redis.call('HSET', roomKey, 'serving', serving, 'carry', tostring(carry), 'lastTick', now)
return { state, admit, serving, queued - serving, soldOut }
