--[[
  Holds the carts of one or more requests for one sale, in order, each all or nothing, as if
  each request were its own call. Requests that reach one process together travel in one
  call (HoldEngine batches them), so the work every call has to do (reclaiming expired holds,
  reading the sale's limit, reading and writing the stock and customer counters, indexing
  the new holds, appending them to the ledger) is done once per call instead of once per hold.
  Per request: its hold-request rate limit is counted first; a retry with the same request
  key returns the same hold (also a retry in the same call); then the sale, stock and the
  per-customer and per-address unit limits are checked.
    Input:
      KEYS[1..8] the sale's keys (see includes/saleKeys.lua)
      KEYS[9..]  each request's hold-request counter (this sale's slot), in request order
      ARGV[1] now (ms)
      ARGV[2] how many expired holds to reclaim at most (once per call, before any request)
      ARGV[3..] one record per request, 9 + 2 * lines values:
        hold id, customer, request key (already scoped to the customer by the caller),
        time to live (ms), hold requests allowed per window (0: no limit, the counter is not
        touched), the window (ms), the requester's client address ('' when unknown; counted
        under '@<address>' in the customers hash, so many sessions from one address share one
        allowance), units one address may hold or have bought in this sale (0: no limit),
        the number of lines, then item and quantity of each line (distinct items)
    Output: one reply per request, in request order, each one of
      { 'rate_limited', ms until the window closes }  nothing else was done for it
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
--- @include "includes/counterCache"
--- @include "../../rate-limit/lua/includes/countHit"

local now = tonumber(ARGV[1])
reclaimExpired(now, tonumber(ARGV[2]))

local requests = {}
do
  local at = 3
  while at <= #ARGV do
    local lineCount = tonumber(ARGV[at + 8])
    local lines = {}
    for line = 1, lineCount do
      lines[line] = { ARGV[at + 7 + 2 * line], tonumber(ARGV[at + 8 + 2 * line]) }
    end
    local address = ARGV[at + 6]
    requests[#requests + 1] = {
      holdId = ARGV[at], customer = ARGV[at + 1], requestKey = ARGV[at + 2], ttl = tonumber(ARGV[at + 3]),
      allowed = tonumber(ARGV[at + 4]), window = ARGV[at + 5],
      addressField = address ~= '' and ('@' .. address) or nil, addressLimit = tonumber(ARGV[at + 7]),
      lines = lines, linesAt = at + 9,
    }
    at = at + 9 + 2 * lineCount
  end
end

local stock, counts = counterCache(stockKey), counterCache(customersKey)
-- One read each for the stock and customer counters every request may touch.
local function loadCounters()
  local stockFields, customerFields = {}, {}
  for _, request in ipairs(requests) do
    for _, line in ipairs(request.lines) do
      stockFields[#stockFields + 1] = line[1] .. ':avail'
      stockFields[#stockFields + 1] = line[1] .. ':held'
    end
    customerFields[#customerFields + 1] = request.customer
    if request.addressField then customerFields[#customerFields + 1] = request.addressField end
  end
  stock.load(stockFields)
  counts.load(customerFields)
end
loadCounters()

-- Earlier holds of these requests' keys, read in one round (retries are rare: mostly nil).
local previousIds = {}
do
  local requestKeys = {}
  for index, request in ipairs(requests) do requestKeys[index] = request.requestKey end
  if #requestKeys > 0 then previousIds = redis.call('HMGET', requestsKey, unpack(requestKeys)) end
end

local saleLimit = redis.call('HGET', metaKey, 'limit')
saleLimit = saleLimit and tonumber(saleLimit)
-- Holds made by this call, by request key: written to the holds, expiry and request indexes at the end.
local made, newHolds, newExpiries, newRequests = {}, {}, {}, {}
-- Their ledger records, written as one stream entry (appendLedgerBatch) when the call ends
-- or before another entry, so the stream keeps the order in which things happened.
local ledgerHolds, ledgerCustomers, ledgerLines = {}, {}, {}
-- A request's lines as the ledger writes them ("item:qty,item:qty"), from ARGV's own text: no
-- quantity is turned back into text (that conversion was most of the ledger's cost per hold).
local function ledgerText(request)
  local first, count = request.linesAt, #request.lines
  if count == 1 then return ARGV[first] .. ':' .. ARGV[first + 1] end
  local parts = {}
  for i = 0, count - 1 do parts[i + 1] = ARGV[first + 2 * i] .. ':' .. ARGV[first + 2 * i + 1] end
  return table.concat(parts, ',')
end
local function flushLedger()
  appendLedgerBatch('reserve', now, ledgerHolds, ledgerCustomers, ledgerLines)
  ledgerHolds, ledgerCustomers, ledgerLines = {}, {}, {}
end

local function reserveOne(index, request)
  if request.allowed > 0 then
    local count, windowLeft = countHit(KEYS[8 + index], request.window, request.allowed)
    if count > request.allowed then return { 'rate_limited', windowLeft } end
  end

  local earlier = made[request.requestKey]
  if earlier then return { 'reserved', earlier.holdId, earlier.expiresAt, 1 } end
  local previousId = previousIds[index]
  if previousId then
    local raw = redis.call('HGET', holdsKey, previousId)
    if not raw then return { 'duplicate', previousId } end
    local previous = cjson.decode(raw)
    if previous.e <= now then
      -- endHold changes the counters in Redis directly and appends to the ledger: write ours
      -- first, read them anew after.
      stock.flush()
      counts.flush()
      flushLedger()
      endHold(previousId, previous, 'expire', now)
      return { 'duplicate', previousId }
    end
    return { 'reserved', previousId, previous.e, 1 }
  end

  if not saleLimit then return { 'not_found', '' } end

  local units = 0
  for _, line in ipairs(request.lines) do
    local available = stock.get(line[1] .. ':avail')
    if not available then return { 'not_found', line[1] } end
    if available < line[2] then return { 'sold_out', line[1], available } end
    units = units + line[2]
  end
  if saleLimit > 0 then
    local counted = counts.get(request.customer) or 0
    if counted + units > saleLimit then return { 'limit_exceeded', saleLimit, counted } end
  end
  local addressField = request.addressField
  if addressField and request.addressLimit > 0 then
    local counted = counts.get(addressField) or 0
    if counted + units > request.addressLimit then return { 'address_limit_exceeded', request.addressLimit, counted } end
  end

  for _, line in ipairs(request.lines) do
    stock.add(line[1] .. ':avail', -line[2])
    stock.add(line[1] .. ':held', line[2])
  end
  counts.add(request.customer, units)
  if addressField then counts.add(addressField, units) end
  local expiresAt = now + request.ttl
  local holdId = request.holdId
  made[request.requestKey] = { holdId = holdId, expiresAt = expiresAt }
  newHolds[#newHolds + 1] = holdId
  newHolds[#newHolds + 1] = cjson.encode({ c = request.customer, e = expiresAt, l = request.lines, a = addressField })
  newExpiries[#newExpiries + 1] = expiresAt
  newExpiries[#newExpiries + 1] = holdId
  newRequests[#newRequests + 1] = request.requestKey
  newRequests[#newRequests + 1] = holdId
  ledgerHolds[#ledgerHolds + 1] = holdId
  ledgerCustomers[#ledgerCustomers + 1] = request.customer
  ledgerLines[#ledgerLines + 1] = ledgerText(request)
  return { 'reserved', holdId, expiresAt, 0 }
end

local replies = {}
for index, request in ipairs(requests) do replies[index] = reserveOne(index, request) end

stock.flush()
counts.flush()
flushLedger()
if #newHolds > 0 then
  redis.call('HSET', holdsKey, unpack(newHolds))
  redis.call('ZADD', expiryKey, unpack(newExpiries))
  redis.call('HSET', requestsKey, unpack(newRequests))
end
return replies
