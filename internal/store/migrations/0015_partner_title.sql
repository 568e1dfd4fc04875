-- 0015_partner_title: the title a partner sees for a case referred to it.
-- The internal title often holds a victim's name, so a partner never sees
-- it; the referrer may write one for the partner when referring, else the
-- partner sees a neutral title made from the case ID. It is stored as
-- plain text, like the referral's note: the referrer writes both for the
-- partner to read.
ALTER TABLE referrals ADD COLUMN partner_title TEXT NOT NULL DEFAULT '';
