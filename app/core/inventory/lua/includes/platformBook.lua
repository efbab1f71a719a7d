--[[
  The platform book of a sale (KEYS[9], hash, same hash tag as the sale), per item:
    <item>:base    what the platform held when the write-back last confirmed a write
    <item>:seen    the platform's last report since then (absent: none)
    <item>:orders  units platform orders settled here took since the base
    <item>:ext     units taken out of the sale since the base for decreases nobody explained
  A decrease the platform reports that orders do not explain (a POS sale Holdfast never heard
  of, another channel, a manual edit) is base - seen - orders. It leaves the sale's available
  units at once; when an order that arrives later explains it, the units come back.
]]
local bookKey = KEYS[9]

-- Brings the item's unexplained decrease into the sale, as far as available units allow.
-- Returns the change made to available (negative: taken out, positive: given back).
local function rebalance(item, now)
  local book = redis.call('HMGET', bookKey, item .. ':base', item .. ':seen', item .. ':orders', item .. ':ext')
  if not book[1] then return 0 end
  local applied = tonumber(book[4] or '0')
  local target = 0
  if book[2] then
    target = tonumber(book[1]) - tonumber(book[2]) - tonumber(book[3] or '0')
    if target < 0 then target = 0 end
  end
  local change = target - applied
  if change > 0 then
    -- Held and sold units are never taken back; what is left waits for the next report or order.
    local available = tonumber(redis.call('HGET', stockKey, item .. ':avail'))
    if change > available then change = available end
  end
  if change == 0 then return 0 end
  redis.call('HINCRBY', stockKey, item .. ':alloc', -change)
  redis.call('HINCRBY', stockKey, item .. ':avail', -change)
  redis.call('HINCRBY', bookKey, item .. ':ext', change)
  appendLedger('adjust', now, '', '', '', { { item, -change } })
  return -change
end

-- Counts units a platform order took, so a platform report that already shows them is not
-- taken for an external decrease. Nothing to count before the write-back's first write.
local function countPlatformOrder(item, units, now)
  if redis.call('HEXISTS', bookKey, item .. ':base') == 0 then return end
  redis.call('HINCRBY', bookKey, item .. ':orders', units)
  rebalance(item, now)
end
