--[[
  The write-back confirmed that the platform now holds these counts: each becomes the item's
  new base, and what the book counted against the old base is done with (units already
  taken out of the sale for unexplained decreases stay out).
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      KEYS[9] the sale's platform book
      ARGV[1..] item, count pairs
    Output:
      number of items recorded
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/platformBook"

local count = 0
for i = 1, #ARGV, 2 do
  local item = ARGV[i]
  redis.call('HSET', bookKey, item .. ':base', ARGV[i + 1])
  redis.call('HDEL', bookKey, item .. ':seen', item .. ':orders', item .. ':ext')
  count = count + 1
end
return count
