--[[
  Privacy (customers/redact): removes one customer from a sale's hot data, atomically with the
  scripts that change holds, so a hold ended meanwhile is never brought back. Counts stay.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      ARGV[1] the customer reference
      ARGV[2] the prefix of the customer's reserve idempotency keys (see HoldEngine.reserve)
      ARGV[3] what the customer's holds name instead of the customer
      ARGV[4..] platform order references of the customer (their order -> hold entries go)
    Output:
      { counts removed (0/1), holds renamed, request keys removed, order entries removed }
]]
--- @include "includes/saleKeys"
--- @include "includes/holdRecord"

local customer, requestPrefix, placeholder = ARGV[1], ARGV[2], ARGV[3]
local counts = redis.call('HDEL', customersKey, customer)

local renamed = 0
local holds = redis.call('HGETALL', holdsKey)
for i = 1, #holds, 2 do
  local hold = decodeHold(holds[i + 1])
  if hold.c == customer then
    hold.c = placeholder
    redis.call('HSET', holdsKey, holds[i], encodeHold(hold))
    renamed = renamed + 1
  end
end
-- Ending a renamed hold takes its units from the placeholder's count, which never goes below zero (endHold).

local requests = 0
local cursor = '0'
repeat
  local page = redis.call('HSCAN', requestsKey, cursor, 'COUNT', 500)
  cursor = page[1]
  local fields = page[2]
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, #requestPrefix) == requestPrefix then
      requests = requests + redis.call('HDEL', requestsKey, fields[i])
    end
  end
until cursor == '0'

local orders = 0
for i = 4, #ARGV do
  orders = orders + redis.call('HDEL', ordersKey, ARGV[i])
end
return { counts, renamed, requests, orders }
