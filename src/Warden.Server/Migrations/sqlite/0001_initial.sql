-- Warden server schema, version 1 (SQLite). Times are milliseconds since the Unix epoch, UTC.
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reporter', 'viewer', 'admin')),
    hash TEXT NOT NULL UNIQUE,
    machine_id TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE machines (
    id TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    os TEXT NOT NULL,
    user_name TEXT NOT NULL,
    policy TEXT NOT NULL,
    policy_source TEXT NOT NULL,
    warden_version TEXT NOT NULL,
    last_checkin_id INTEGER NOT NULL,
    last_checkin_at INTEGER NOT NULL,
    findings INTEGER NOT NULL,
    worst TEXT,
    first_seen_at INTEGER NOT NULL
);
CREATE INDEX machines_policy ON machines (policy, id);
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    machine_id TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    findings INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX checkins_machine ON checkins (machine_id, id);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    machine_id TEXT NOT NULL,
    checkin_id INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    message TEXT NOT NULL,
    path TEXT,
    line INTEGER
);
CREATE INDEX findings_machine ON findings (machine_id);
CREATE INDEX findings_rule ON findings (rule_id, id);
CREATE INDEX findings_severity ON findings (severity_rank, id);
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    message TEXT NOT NULL,
    session TEXT,
    user_name TEXT,
    host TEXT,
    seen_at INTEGER,
    evidence TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX alerts_rule ON alerts (rule_id, id);
