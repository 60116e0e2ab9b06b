-- A claim walks each endpoint's due deliveries in order. Leased deliveries (being attempted, or
-- claimed ahead) were in that range too, oldest first, so every claim stepped over an endpoint's
-- whole prefetch row by row to find the unleased ones. The claim index now holds unleased
-- deliveries only; the few whose lease expired (a node that crashed) are found through their own
-- small index on the lease.
DROP INDEX webhook_deliveries_endpoint_due;
CREATE INDEX webhook_deliveries_endpoint_due ON webhook_deliveries (merchant_id, env, endpoint_id, next_attempt_us)
    WHERE next_attempt_us IS NOT NULL AND lease_us IS NULL;
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (lease_us)
    WHERE lease_us IS NOT NULL AND next_attempt_us IS NOT NULL;
-- (Taking a lease is no longer a heap-only update: it moves the row from the claim index to the
-- lease index. Most deliveries are claimed as they are created, already leased, and never take a
-- lease by update.)
