-- A payout's timeline (and `?event=` on an endpoint's deliveries) finds an event's deliveries
-- by the event's id alone: event ids are unique, and the queries still name the merchant and
-- mode. The narrower key costs less at each write of a delivery (docs/benchmarks.md, issue 20).
DROP INDEX webhook_deliveries_by_event;
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
