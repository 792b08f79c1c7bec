-- What Ward knows of vulnerabilities and what people decided about them:
-- the advisories imported, the feeds that qualify them (CISA KEV, EPSS),
-- SBOMs and VEX documents, the findings the matcher made on devices,
-- reviewers' rulings, the patch workflow per model and version, and NHS
-- cyber alerts. The conventions are those of 00001; flags are INTEGER 0/1.
--
-- Documents (advisories, SBOMs, VEX) are kept whole as JSON written by
-- Ward, since the matcher is rebuilt from them at start; the columns beside
-- a document are what lists sort and filter by.

-- +goose Up

-- advisories hold one row per tracking ID, the latest revision imported.
-- source and sha256 are the file it came from; doc is the whole
-- advisory.Advisory.
CREATE TABLE advisories (
	id          TEXT PRIMARY KEY,
	format      TEXT NOT NULL,
	title       TEXT NOT NULL DEFAULT '',
	publisher   TEXT NOT NULL DEFAULT '',
	revision    TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL DEFAULT '',
	released    INTEGER NOT NULL DEFAULT 0,
	updated     INTEGER NOT NULL DEFAULT 0,
	imported_at INTEGER NOT NULL,
	source      TEXT NOT NULL DEFAULT '',
	sha256      TEXT NOT NULL DEFAULT '',
	doc         TEXT NOT NULL
) STRICT;
CREATE INDEX advisories_updated ON advisories (updated, id);

-- advisory_vulns are an advisory's vulnerabilities in document order (n),
-- for lists: cve is the CVE, or the advisory's ID for one without; cvss is
-- the base score of its newest CVSS version (0 for none).
CREATE TABLE advisory_vulns (
	advisory_id  TEXT NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
	n            INTEGER NOT NULL,
	cve          TEXT NOT NULL,
	title        TEXT NOT NULL DEFAULT '',
	cvss         REAL NOT NULL DEFAULT 0,
	severity     TEXT NOT NULL DEFAULT '',
	vector       TEXT NOT NULL DEFAULT '',
	cvss_version TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (advisory_id, n)
) STRICT, WITHOUT ROWID;
CREATE INDEX advisory_vulns_cve ON advisory_vulns (cve);

-- feed_versions is the version of each feed replaced whole ('kev',
-- 'epss'): its catalogue version or model, its release or score date, and
-- how many entries it had.
CREATE TABLE feed_versions (
	feed        TEXT PRIMARY KEY,
	version     TEXT NOT NULL DEFAULT '',
	released    INTEGER NOT NULL DEFAULT 0,
	imported_at INTEGER NOT NULL,
	entries     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- kev is CISA's Known Exploited Vulnerabilities catalogue, replaced whole
-- by each import. added and due are dates (midnight UTC); cwes is a JSON
-- array.
CREATE TABLE kev (
	cve             TEXT PRIMARY KEY,
	vendor          TEXT NOT NULL DEFAULT '',
	product         TEXT NOT NULL DEFAULT '',
	name            TEXT NOT NULL DEFAULT '',
	description     TEXT NOT NULL DEFAULT '',
	added           INTEGER NOT NULL DEFAULT 0,
	due             INTEGER NOT NULL DEFAULT 0,
	required_action TEXT NOT NULL DEFAULT '',
	ransomware      INTEGER NOT NULL DEFAULT 0,
	notes           TEXT NOT NULL DEFAULT '',
	cwes            TEXT NOT NULL DEFAULT '[]'
) STRICT;

-- epss is one day's EPSS scores, replaced whole by each import (some
-- 270,000 rows). probability and percentile are 0–1.
CREATE TABLE epss (
	cve         TEXT PRIMARY KEY,
	probability REAL NOT NULL,
	percentile  REAL NOT NULL,
	score_date  INTEGER NOT NULL DEFAULT 0,
	model       TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

-- sboms are SBOMs attached to a vendor, model and software version: the
-- keys are the caller's normalised vendor and model, vendor and model as
-- given. doc is the whole advisory.SBOM.
CREATE TABLE sboms (
	id           INTEGER PRIMARY KEY,
	vendor_key   TEXT NOT NULL,
	model_key    TEXT NOT NULL,
	version      TEXT NOT NULL DEFAULT '',
	vendor       TEXT NOT NULL DEFAULT '',
	model        TEXT NOT NULL DEFAULT '',
	serial       TEXT NOT NULL DEFAULT '',
	spec_version TEXT NOT NULL DEFAULT '',
	imported_at  INTEGER NOT NULL,
	doc          TEXT NOT NULL,
	UNIQUE (vendor_key, model_key, version)
) STRICT;

-- vex_docs are VEX documents by their ID; doc is the whole advisory.VEX.
CREATE TABLE vex_docs (
	id          TEXT PRIMARY KEY,
	format      TEXT NOT NULL,
	author      TEXT NOT NULL DEFAULT '',
	timestamp   INTEGER NOT NULL DEFAULT 0,
	imported_at INTEGER NOT NULL,
	doc         TEXT NOT NULL
) STRICT;

-- device_vulns are the current findings: one row per device, advisory and
-- CVE ('' for a vulnerability without one), replaced by each match. Most
-- findings of a match are those of the match before, unchanged, so a
-- match writes only the rows it adds or changes, which digest (a hash of
-- the columns a match sets) tells; a finding keeps first_matched while it
-- persists. There is no foreign key to devices or advisories: the rows
-- are the matcher's output, and a row whose device or advisory is gone is
-- dropped by the next match. Rows are wide (reasons), so the table has a
-- rowid and the key is a unique index. reasons is a JSON array; priority
-- 0–100.
CREATE TABLE device_vulns (
	id            INTEGER PRIMARY KEY,
	device_id     TEXT NOT NULL,
	advisory_id   TEXT NOT NULL,
	cve           TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL
		CHECK (status IN ('affected', 'fixed', 'not_affected', 'under_investigation')),
	confidence    REAL NOT NULL,
	kind          TEXT NOT NULL DEFAULT '',
	product       TEXT NOT NULL DEFAULT '',
	product_id    TEXT NOT NULL DEFAULT '',
	product_range TEXT NOT NULL DEFAULT '',
	reason        TEXT NOT NULL DEFAULT '',
	priority      INTEGER NOT NULL DEFAULT 0,
	level         TEXT NOT NULL DEFAULT '',
	ssvc          TEXT NOT NULL DEFAULT '',
	reasons       TEXT NOT NULL DEFAULT '[]',
	decided       INTEGER NOT NULL DEFAULT 0,
	reopened      INTEGER NOT NULL DEFAULT 0,
	digest        INTEGER NOT NULL DEFAULT 0,
	first_matched INTEGER NOT NULL,
	UNIQUE (device_id, advisory_id, cve)
) STRICT;
-- Pages of findings walk device_vulns_priority (all by priority) or
-- device_vulns_status (of a status by priority); the review queue's count
-- reads device_vulns_confidence alone.
CREATE INDEX device_vulns_advisory ON device_vulns (advisory_id);
CREATE INDEX device_vulns_status ON device_vulns (status, priority DESC);
CREATE INDEX device_vulns_priority ON device_vulns (priority DESC);
CREATE INDEX device_vulns_confidence ON device_vulns (confidence, decided, reopened);

-- finding_matches are when the findings of a scope were last matched:
-- scope 'all' (key '') for every finding, 'device' or 'advisory' (key its
-- id) for those of one. A finding was last matched at the latest of its
-- three, which spares a match writing every row it leaves unchanged.
CREATE TABLE finding_matches (
	scope TEXT NOT NULL CHECK (scope IN ('all', 'device', 'advisory')),
	key   TEXT NOT NULL,
	at    INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;

-- decisions are reviewers' rulings, one per vulnerability (a CVE, or an
-- advisory ID), vendor key, model key and software version ('' for
-- unknown), applying to every device of that model and version. advisory_id,
-- product_id and product_range are what the ruling was made on, so that a
-- new range reopens it. decision_events keep every ruling ever made, the
-- same columns, and are never deleted.
CREATE TABLE decisions (
	id            INTEGER PRIMARY KEY,
	vuln          TEXT NOT NULL,
	vendor_key    TEXT NOT NULL,
	model_key     TEXT NOT NULL,
	version       TEXT NOT NULL DEFAULT '',
	vendor        TEXT NOT NULL DEFAULT '',
	model         TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL
		CHECK (status IN ('affected', 'fixed', 'not_affected', 'under_investigation')),
	justification TEXT NOT NULL DEFAULT '',
	note          TEXT NOT NULL DEFAULT '',
	actor         TEXT NOT NULL,
	at            INTEGER NOT NULL,
	advisory_id   TEXT NOT NULL DEFAULT '',
	product_id    TEXT NOT NULL DEFAULT '',
	product_range TEXT NOT NULL DEFAULT '',
	UNIQUE (vuln, vendor_key, model_key, version)
) STRICT;
CREATE TABLE decision_events (
	id            INTEGER PRIMARY KEY,
	vuln          TEXT NOT NULL,
	vendor_key    TEXT NOT NULL,
	model_key     TEXT NOT NULL,
	version       TEXT NOT NULL DEFAULT '',
	vendor        TEXT NOT NULL DEFAULT '',
	model         TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL,
	justification TEXT NOT NULL DEFAULT '',
	note          TEXT NOT NULL DEFAULT '',
	actor         TEXT NOT NULL,
	at            INTEGER NOT NULL,
	advisory_id   TEXT NOT NULL DEFAULT '',
	product_id    TEXT NOT NULL DEFAULT '',
	product_range TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX decision_events_key ON decision_events (vuln, vendor_key, model_key, version, id);

-- patch_plans are the patch workflow of one vendor, model and software
-- version: state moves available → manufacturer_validated → tested →
-- scheduled → deployed, each move a patch_events row. end_of_support is
-- NULL when unknown; window_start and window_end are the maintenance
-- window (0 for none).
CREATE TABLE patch_plans (
	id                    INTEGER PRIMARY KEY,
	vendor                TEXT NOT NULL DEFAULT '',
	model                 TEXT NOT NULL DEFAULT '',
	vendor_key            TEXT NOT NULL,
	model_key             TEXT NOT NULL,
	from_version          TEXT NOT NULL DEFAULT '',
	target_version        TEXT NOT NULL DEFAULT '',
	state                 TEXT NOT NULL CHECK (state IN ('available',
		'manufacturer_validated', 'tested', 'scheduled', 'deployed')),
	window_start          INTEGER NOT NULL DEFAULT 0,
	window_end            INTEGER NOT NULL DEFAULT 0,
	end_of_support        INTEGER,
	compensating_controls TEXT NOT NULL DEFAULT '',
	note                  TEXT NOT NULL DEFAULT '',
	updated_by            TEXT NOT NULL,
	updated_at            INTEGER NOT NULL,
	UNIQUE (vendor_key, model_key, from_version)
) STRICT;
-- patch_events are every change of a plan's state; from_state is '' for
-- the plan's creation, forced 1 for a move out of order.
CREATE TABLE patch_events (
	id         INTEGER PRIMARY KEY,
	plan_id    INTEGER NOT NULL REFERENCES patch_plans (id) ON DELETE CASCADE,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	forced     INTEGER NOT NULL DEFAULT 0,
	actor      TEXT NOT NULL,
	at         INTEGER NOT NULL,
	note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX patch_events_plan ON patch_events (plan_id, id);

-- approved_versions are the software versions a manufacturer approved for
-- a model, with where that was said (source, reference: a letter, a
-- bulletin).
CREATE TABLE approved_versions (
	vendor_key TEXT NOT NULL,
	model_key  TEXT NOT NULL,
	version    TEXT NOT NULL,
	vendor     TEXT NOT NULL DEFAULT '',
	model      TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL DEFAULT '',
	reference  TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL,
	at         INTEGER NOT NULL,
	PRIMARY KEY (vendor_key, model_key, version)
) STRICT, WITHOUT ROWID;

-- cyber_alerts are NHS cyber alerts as received: cves is a JSON array,
-- products the affected products as the alert words them. due_at is when
-- the response is due (48 hours after receipt for a high-severity alert),
-- acknowledged_at and closed_at 0 until then. alert_events are every
-- change of status.
CREATE TABLE cyber_alerts (
	id              INTEGER PRIMARY KEY,
	reference       TEXT NOT NULL UNIQUE,
	title           TEXT NOT NULL DEFAULT '',
	severity        TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
	cves            TEXT NOT NULL DEFAULT '[]',
	products        TEXT NOT NULL DEFAULT '',
	received_at     INTEGER NOT NULL,
	due_at          INTEGER NOT NULL DEFAULT 0,
	acknowledged_at INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL
		CHECK (status IN ('open', 'acknowledged', 'remediating', 'closed')),
	closed_at       INTEGER NOT NULL DEFAULT 0,
	note            TEXT NOT NULL DEFAULT '',
	created_by      TEXT NOT NULL
) STRICT;
CREATE TABLE alert_events (
	id          INTEGER PRIMARY KEY,
	alert_id    INTEGER NOT NULL REFERENCES cyber_alerts (id) ON DELETE CASCADE,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	actor       TEXT NOT NULL,
	at          INTEGER NOT NULL,
	note        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

-- +goose Down
DROP TABLE alert_events;
DROP TABLE cyber_alerts;
DROP TABLE approved_versions;
DROP TABLE patch_events;
DROP TABLE patch_plans;
DROP TABLE decision_events;
DROP TABLE decisions;
DROP TABLE finding_matches;
DROP TABLE device_vulns;
DROP TABLE vex_docs;
DROP TABLE sboms;
DROP TABLE epss;
DROP TABLE kev;
DROP TABLE feed_versions;
DROP TABLE advisory_vulns;
DROP TABLE advisories;
