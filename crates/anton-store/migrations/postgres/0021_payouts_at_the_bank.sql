-- The live payouts a bank has and has not answered for yet (`processing`, in a file), by file:
-- what the rail health gauges read at each scrape (docs/monitoring.md), without reading every
-- payout ever sent.
CREATE INDEX payouts_at_the_bank ON payouts (bank_file)
    WHERE status = 'processing' AND bank_file IS NOT NULL;
