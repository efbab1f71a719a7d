--[[
  Holds every line of one cart for a customer, all or nothing.
  A retry with the same request key returns the same hold; expired holds are reclaimed
  first (bounded) so their units can be sold again.
  The caller's request rate limit (hold requests per window) is counted first, in the same
  call, so a hold costs the storefront one round trip.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      KEYS[9]  the requester's hold-request counter (this sale's slot)
      ARGV[1] new hold id
      ARGV[2] customer
      ARGV[3] request key (already scoped to the customer by the caller)
      ARGV[4] now (ms)
      ARGV[5] time to live (ms)
      ARGV[6] how many expired holds to reclaim at most
      ARGV[7] hold requests allowed per window (0: no limit, the counter is not touched)
      ARGV[8] the window (ms)
      ARGV[9] the requester's client address ('' when unknown); counted under '@<address>' in
              the customers hash, so many sessions from one address share one allowance
      ARGV[10] units one address may hold or have bought in this sale (0: no limit)
      ARGV[11..] item, quantity pairs (distinct items)
    Output:
      { 'rate_limited', ms until the window closes }  nothing else was done
      { 'reserved', holdId, expiresAt, replayed (0|1) }
      { 'sold_out', item, available }
      { 'limit_exceeded', limit, units already held or bought }
      { 'address_limit_exceeded', limit, units the address already holds or bought }
      { 'not_found', item or '' for an unknown sale }
      { 'duplicate', holdId }  the request already made a hold that has ended since
]]
--- @include "includes/saleKeys"
--- @include "includes/ledger"
--- @include "includes/endHold"
--- @include "includes/lines"
--- @include "../../rate-limit/lua/includes/countHit"

local holdId, customer, requestKey = ARGV[1], ARGV[2], ARGV[3]
local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])

local allowedRequests = tonumber(ARGV[7])
if allowedRequests > 0 then
  local count, windowLeft = countHit(KEYS[9], ARGV[8])
  if count > allowedRequests then return { 'rate_limited', windowLeft } end
end

reclaimExpired(now, tonumber(ARGV[6]))

local previousId = redis.call('HGET', requestsKey, requestKey)
if previousId then
  local raw = redis.call('HGET', holdsKey, previousId)
  if not raw then return { 'duplicate', previousId } end
  local previous = cjson.decode(raw)
  if previous.e <= now then
    endHold(previousId, previous, 'expire', now)
    return { 'duplicate', previousId }
  end
  return { 'reserved', previousId, previous.e, 1 }
end

local limit = redis.call('HGET', metaKey, 'limit')
if not limit then return { 'not_found', '' } end

local lines = readLines(11)
local failure = checkAvailable(lines)
if failure then return failure end

local units = unitsOf(lines)
limit = tonumber(limit)
if limit > 0 then
  local counted = tonumber(redis.call('HGET', customersKey, customer) or '0')
  if counted + units > limit then return { 'limit_exceeded', limit, counted } end
end
local address, addressLimit = ARGV[9], tonumber(ARGV[10])
local addressField = address ~= '' and ('@' .. address) or nil
if addressField and addressLimit > 0 then
  local counted = tonumber(redis.call('HGET', customersKey, addressField) or '0')
  if counted + units > addressLimit then return { 'address_limit_exceeded', addressLimit, counted } end
end

for _, line in ipairs(lines) do
  redis.call('HINCRBY', stockKey, line[1] .. ':avail', -line[2])
  redis.call('HINCRBY', stockKey, line[1] .. ':held', line[2])
end
local expiresAt = now + ttl
redis.call('HSET', holdsKey, holdId, cjson.encode({ c = customer, e = expiresAt, l = lines, a = addressField }))
redis.call('ZADD', expiryKey, expiresAt, holdId)
redis.call('HINCRBY', customersKey, customer, units)
if addressField then redis.call('HINCRBY', customersKey, addressField, units) end
redis.call('HSET', requestsKey, requestKey, holdId)
appendLedger('reserve', now, holdId, '', customer, lines)
return { 'reserved', holdId, expiresAt, 0 }
