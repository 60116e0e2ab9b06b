-- A recipient with payouts still under way (pending, in review, processing) cannot be deleted:
-- the delete looks them up here. Only unfinished payouts are in this index, so it stays small.
CREATE INDEX payouts_active_by_recipient ON payouts (merchant_id, env, recipient_id)
    WHERE status IN ('pending', 'requires_review', 'processing');
