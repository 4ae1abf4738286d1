-- A contact's phone number, as typed or imported (vCard TEL, a CSV "phone" column).

ALTER TABLE contacts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
