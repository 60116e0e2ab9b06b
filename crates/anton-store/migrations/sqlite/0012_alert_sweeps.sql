-- The alert evaluation's scan of failing endpoints reads only those (not every endpoint), and
-- the retention sweep finds resolved alerts by age (docs/reference.md §8).
CREATE INDEX webhook_endpoints_failing ON webhook_endpoints (failing_since_us)
    WHERE status = 'enabled' AND failing_since_us IS NOT NULL;
CREATE INDEX alerts_resolved ON alerts (resolved_us) WHERE status = 'resolved';
