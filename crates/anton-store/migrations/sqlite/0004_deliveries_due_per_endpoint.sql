-- "Is any delivery due?" is asked per enabled endpoint through webhook_deliveries_endpoint_due
-- (webhooks::any_due), so the global due index, written on every insert and every change of
-- next_attempt_us, goes.
DROP INDEX webhook_deliveries_due;
