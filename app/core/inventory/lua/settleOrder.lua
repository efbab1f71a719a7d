--[[
  Settles a platform order line by line: the ordered units of each item are covered first by
  the order's holds (live, or expired and not reclaimed yet: those units were never given to
  anyone else), held units the order did not take go back to available, and the rest are
  bypass units taken from available. Units the sale no longer has are recorded as oversold,
  never hidden. Idempotent by order reference; expired holds of others are reclaimed (bounded)
  only after the order's own holds are settled.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      KEYS[9] the sale's platform book (see includes/platformBook.lua)
      ARGV[1] order reference
      ARGV[2] customer ('' when unknown), counted for the bypass units
      ARGV[3] now (ms)
      ARGV[4] how many expired holds to reclaim at most
      ARGV[5] n, the number of hold ids that follow (verified by the caller, distinct)
      ARGV[6..5+n] hold ids
      ARGV[6+n..] item, ordered quantity pairs (distinct items)
    Output:
      { 'settled', recorded as (first hold committed, or 'take'), committed, released, taken,
        oversold (each as "item:qty,..."), holds settled ("id,id") }
      { 'duplicate', holdId or 'take' }  the order was already recorded
      { 'not_found', item or '' for an unknown sale }  nothing was changed
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/endHold"
--- @include "includes/lines"
--- @include "includes/platformBook"

local orderRef, customer, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local recorded = redis.call('HGET', ordersKey, orderRef)
if recorded then return { 'duplicate', recorded } end
if redis.call('EXISTS', metaKey) == 0 then return { 'not_found', '' } end

local holdCount = tonumber(ARGV[5])
local lines = readLines(6 + holdCount)
for _, line in ipairs(lines) do
  if redis.call('HEXISTS', stockKey, line[1] .. ':avail') == 0 then return { 'not_found', line[1] } end
end

local need, order = {}, {}
for i, line in ipairs(lines) do
  need[line[1]] = line[2]
  order[i] = line[1]
end
local committed, released, taken, oversold = {}, {}, {}, {}
local function add(list, item, units)
  if units > 0 then list[item] = (list[item] or 0) + units end
end

local settled, recordedAs = {}, 'take'
for i = 6, 5 + holdCount do
  local holdId = ARGV[i]
  local raw = redis.call('HGET', holdsKey, holdId)
  if raw then
    local hold = decodeHold(raw)
    local ownCommitted, ownReleased, releasedUnits = {}, {}, 0
    for _, line in ipairs(hold.l) do
      local item, units = line[1], line[2]
      local use = math.min(units, need[item] or 0)
      if use > 0 then need[item] = need[item] - use end
      redis.call('HINCRBY', stockKey, item .. ':held', -units)
      if use > 0 then
        redis.call('HINCRBY', stockKey, item .. ':sold', use)
        ownCommitted[#ownCommitted + 1] = { item, use }
        add(committed, item, use)
      end
      if units > use then
        redis.call('HINCRBY', stockKey, item .. ':avail', units - use)
        ownReleased[#ownReleased + 1] = { item, units - use }
        add(released, item, units - use)
        releasedUnits = releasedUnits + units - use
      end
    end
    if releasedUnits > 0 and redis.call('HINCRBY', customersKey, hold.c, -releasedUnits) <= 0 then
      redis.call('HDEL', customersKey, hold.c)
    end
    redis.call('HDEL', holdsKey, holdId)
    redis.call('ZREM', expiryKey, holdId)
    if #ownCommitted > 0 then
      appendLedger('commit', now, holdId, orderRef, hold.c, ownCommitted)
      if recordedAs == 'take' then recordedAs = holdId end
    end
    if #ownReleased > 0 then appendLedger('release', now, holdId, orderRef, hold.c, ownReleased) end
    settled[#settled + 1] = holdId
  end
end

reclaimExpired(ARGV[3], ARGV[4])

local takenLines, oversoldLines, takenUnits = {}, {}, 0
for _, item in ipairs(order) do
  local left = need[item]
  if left > 0 then
    local available = tonumber(redis.call('HGET', stockKey, item .. ':avail'))
    local take = math.min(left, available)
    if take > 0 then
      redis.call('HINCRBY', stockKey, item .. ':avail', -take)
      redis.call('HINCRBY', stockKey, item .. ':sold', take)
      add(taken, item, take)
      takenLines[#takenLines + 1] = { item, take }
      takenUnits = takenUnits + take
    end
    if left > take then
      add(oversold, item, left - take)
      oversoldLines[#oversoldLines + 1] = { item, left - take }
      redis.call('HINCRBY', metaKey, 'oversold:' .. item, left - take)
    end
  end
end
if takenUnits > 0 then
  if customer ~= '' then redis.call('HINCRBY', customersKey, customer, takenUnits) end
  appendLedger('take', now, '', orderRef, customer, takenLines)
end
if #oversoldLines > 0 then appendLedger('oversell', now, '', orderRef, customer, oversoldLines) end

for _, line in ipairs(lines) do countPlatformOrder(line[1], line[2], now) end

redis.call('HSET', ordersKey, orderRef, recordedAs)

local function encode(list)
  local items = {}
  for item in pairs(list) do items[#items + 1] = item end
  table.sort(items)
  for i, item in ipairs(items) do items[i] = item .. ':' .. list[item] end
  return table.concat(items, ',')
end
return { 'settled', recordedAs, encode(committed), encode(released), encode(taken), encode(oversold), table.concat(settled, ',') }
