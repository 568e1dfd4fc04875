// Package export writes an organisation's data in the formats partners
// already use (issue #17): STIX 2.1 for CERTs, police cyber units and
// platforms (MISP, OpenCTI), FollowTheMoney for journalists (Aleph) and
// screening tools, CTDC's k-anonymised victim table for IOM's
// Counter-Trafficking Data Collaborative, and Vigil's own CSV and XLSX
// tables. The command line (`vigil export`) and the API
// (`GET /api/v1/exports/{format}`) call [Service.Start], which checks the
// request, authorises it (auth.ExportData: an organisation's admins and
// coordinators; sealed fields also need auth.RevealSealed and a reason,
// through intake.RevealForExport, audited as "export.reveal"), plans the
// export where its format needs the whole of it first, and records
// "export.data" (format, filters, rows) before a byte is written. Every
// export holds the actor's organisation's reports only, erased reports
// left out, optionally those received since a date.
//
// # Memory
//
// Reports are read a page (500) at a time. CSV, XLSX (excelize's stream
// writer) and FtM write as they read: their memory does not grow with the
// number of reports. STIX keeps one small record per identifier, cluster
// and place of the organisation (not per report) to count and date them;
// CTDC keeps one small record per victim, as k-anonymity needs every row
// before the first is written.
//
// # STIX
//
// A bundle of: the TLP marking definition asked for (the specification's
// fixed ids; amber by default); the organisation as an identity (the
// created_by_ref of every object); extension definitions for two new
// observable types, phone-number and cryptocurrency-wallet (STIX 2.1 has
// neither; the names are OpenCTI's, each with a value); a location per
// gazetteer place the reports name; an indicator (pattern_type stix,
// valid_from the first report naming it) with its observable (email-addr,
// url, domain-name, user-account with account_type the service,
// phone-number, cryptocurrency-wallet) and a based-on relationship for
// every identifier that is recruiter-side (or a wallet) and never a
// victim's or reporter's contact, nor registered as a legitimate contact,
// nor disputed; a threat-actor (crime-syndicate) per link cluster of two or
// more reports, with indicates relationships from its indicators and
// located-at relationships to its places. Confidence: 20 for one unverified
// report, +10 per report up to 50; 70 once staff verified one (in a case,
// or marked verified), +10 per verified report up to 95. Ids are UUIDv5 of
// what the object is (observables per the specification's own rule), so a
// re-export gives the same ids.
//
// # FtM
//
// See writeFtM: Document per report, Person/Company/LegalEntity per
// subject (screening matches as Notes), UserAccount and CryptoWallet per
// identifier, Address per place, Documentation and UnknownLink entities;
// never a victim or reporter.
//
// # CTDC
//
// One row per victim in the 63 columns of CTDC's k-anonymised Global
// Dataset ([CTDCColumns]). Vigil's incident types map to the
// means-of-control columns (extortion_ransom: debt bondage and threats;
// violence: physical abuse; deceptive_recruitment: false promises;
// confinement: restricts movement; passport_confiscation: withholds
// documents) and the exploitation columns (forced_criminality: forced
// labour in illicit activities, the scam compounds' forced fraud;
// confinement, extortion, violence or passport confiscation without it:
// forced labour, sector not specified; organ_blood_harvesting: organ
// removal). Vigil's age bands are not CTDC's; ageBroad carries Vigil's in
// CTDC's notation (0--17, 18--25, 26--35, 36--50, 51+) and majorityStatus
// is exact. Columns Vigil does not collect are empty (missing). The
// quasi-identifiers ([CTDCQuasi]) are made k-anonymous: while more than a
// tenth of the rows sit in groups under k, every row is generalised (age
// band to minor/adult, then the year removed); a row still in a group under
// k has its quasi-identifier cells emptied; the rows with none left are
// dropped if they number under k. The counts go to the audit trail and the
// command's output.
//
// # CSV and XLSX
//
// Five tables (more with the testimony, below), a file each (CSV: UTF-8,
// comma-separated, a header row) or a sheet each (XLSX), in this order. The header row holds the
// column codes below, or with a language the pages' column headings in it
// (codes for columns they have none for). List cells join values with
// "; ". Times are RFC 3339 in UTC. A CSV text cell that begins with =, +,
// -, @, a tab or a carriage return has a leading apostrophe added
// (listexport.Defuse), so a spreadsheet does not run it: an importer
// removes one leading apostrophe followed by one of those.
//
// reports.csv — one row per report:
//
//	id              the report's id (UUIDv7)
//	tracking_code   the code the reporter tracks it with
//	received_at     when it was received
//	contacted_on    the day the reporter first reached the organisation (staff intake), YYYY-MM-DD, or empty
//	channel         web, api, phone, chat, email, walk_in, letter, other, import, telegram, line, whatsapp
//	language        the narrative's language (BCP 47)
//	country         where the reporter is (ISO 3166-1 alpha-2)
//	status          received, in_review, referred, closed, dismissed, merged…
//	urgent          true when someone is still held
//	incident_types  codes (intake.IncidentTypes)
//	places          the place names as reported
//	place_ids       the gazetteer id of each place, in the same order (empty for an unknown name)
//	subjects        name|type|role of each subject (type person, company or empty)
//	victims         how many victims the report names (victims.csv has them)
//	case_ids        the cases that hold it
//	reporter_name, reporter_contact   sealed; only in an export that reveals
//
// victims.csv — one row per victim:
//
//	report_id       the report naming the victim
//	number          the victim's place in the report (1, 2, …)
//	nationality     ISO 3166-1 alpha-2
//	age_band        under_18, 18_25, 26_35, 36_50, over_50
//	gender          female, male, other, unknown
//	still_held      true or false
//	name, passport, contact   sealed; only in an export that reveals
//
// cases.csv — one row per case created since the bound:
//
//	id, title, status, urgency, assignee_id (a user id), due_at, created_at, updated_at,
//	report_ids      the reports the case holds
//
// referrals.csv — one row per referral of those cases:
//
//	id, case_id, from_org and to_org (organisation names), shared (the fields shared),
//	status, note, response, created_at, responded_at
//
// identifiers.csv — one row per identifier the link index found in a report:
//
//	report_id, identifier_id (the link index's blind index), kind (extract.Kind),
//	value           the normalised value; empty for a victim's or reporter's contact and
//	                for a passport number unless the export reveals
//	role            what the text says it is used for (recruiter, payment, victim_contact…)
//	side            victim, recruiter or empty (what reports and staff say)
//
// The testimony comes only in an export that reveals (the same permission,
// reason and export.reveal event as the sealed fields; the export.data
// event says testimony "yes"); without it, the CLI says it was left out.
// The statements are read and opened a report at a time.
//
// statements.csv (CSV; XLSX: a sixth sheet, statements) — one row per
// version of each statement, a report's statements oldest first:
//
//	report_id, statement_id, version (1, 2, …)
//	kind            testimony (the reporter's, or staff's when channel is set; a reporter's reply is one too),
//	                recantation, third_party, job_ad, note
//	recants_id      the statement a recantation recants
//	language        BCP 47
//	created_at      when that version was recorded (RFC 3339, fractions of a second)
//	channel         how a statement staff took reached them (phone, walk_in, …); empty: the reporter's
//	taken_by_user   the staff member who took it (a user id of the exporting instance)
//	taken_by, source, circumstances   as recorded with a third-party or staff statement
//	text            the version's text, exactly (spaces and line breaks kept)
//
// attachments.csv (CSV only, written by WriteDir) — one row per attachment,
// its file as received (metadata included) in the attachments folder:
//
//	report_id, attachment_id, name (as sent), type (detected media type), size (bytes),
//	sha256 (of the file), created_at, path (attachments/ID.EXT, relative to the directory)
package export
