-- Lines travel through the ledger as "item:qty,item:qty" so consumers need no JSON decoder.
local function encodeLines(lines)
  local parts = {}
  for i, line in ipairs(lines) do
    parts[i] = line[1] .. ':' .. line[2]
  end
  return table.concat(parts, ',')
end

-- Appends one change to the sale's ledger stream. Trimming is left to the consumer that
-- persists the stream, so an event is never dropped before it reaches SQL.
local function appendLedger(eventType, now, holdId, orderRef, customer, lines)
  redis.call('XADD', ledgerKey, '*', 't', eventType, 'at', now, 'h', holdId, 'o', orderRef,
    'c', customer, 'l', encodeLines(lines))
end
