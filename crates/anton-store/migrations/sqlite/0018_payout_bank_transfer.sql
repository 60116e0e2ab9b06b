-- The bank file that carried a live payout and the reference the bank quotes (the NACHA trace
-- number or the ISO end-to-end id), shown on the payout (docs/live-payouts.md). Set in the
-- transaction that puts the payout in a file; NULL before, and always in test mode.
ALTER TABLE payouts ADD COLUMN bank_file TEXT;
ALTER TABLE payouts ADD COLUMN bank_reference TEXT;
