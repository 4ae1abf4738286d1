-- How a member reads times on pages: a 24-hour clock ('24', "18:00") or a 12-hour one ('12',
-- "6:00 pm").
ALTER TABLE users ADD COLUMN clock TEXT NOT NULL DEFAULT '24';
