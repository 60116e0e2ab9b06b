-- Room on each page of the delivery outbox for updated row versions, so that taking a lease (a
-- column no index covers) is a heap-only update: no new entry in any of the table's four indexes.
-- Applies to pages written from now on.
ALTER TABLE webhook_deliveries SET (fillfactor = 70);
