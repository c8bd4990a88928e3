-- A finding's identity on its machine (SHA-256 of rule, severity, message, path, line and which repeat it is): a
-- check-in deletes the findings that went away and inserts the new ones, and leaves the rest (and their checkin_id,
-- the check-in that first reported them) alone. Rows from before have none and are replaced at their machine's next
-- check-in.
ALTER TABLE findings ADD COLUMN fingerprint TEXT;
DROP INDEX findings_machine;
CREATE INDEX findings_machine ON findings (machine_id, fingerprint);
