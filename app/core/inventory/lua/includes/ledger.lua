--- @include "lineText"

-- Appends one change to the sale's ledger stream. Trimming is left to the consumer that
-- persists the stream, so an event is never dropped before it reaches SQL.
local function appendLedger(eventType, now, holdId, orderRef, customer, lines)
  redis.call('XADD', ledgerKey, '*', 't', eventType, 'at', now, 'h', holdId, 'o', orderRef,
    'c', customer, 'l', encodeLines(lines))
end
