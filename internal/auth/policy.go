package auth

import "slices"

// Role is what a staff member does.
type Role string

// The roles, as in DESIGN.md, and two for accounts that are not case
// workers: an organisation's integration accounts (other systems that file
// reports, with API tokens and no password) and the instance's operators.
const (
	Admin        Role = "admin"
	Coordinator  Role = "coordinator"
	Investigator Role = "investigator"
	Intake       Role = "intake"
	Partner      Role = "partner"
	Integration  Role = "integration"
	Operator     Role = "operator"
)

// Roles lists every role, the least privileged first (a form that offers
// roles selects the first by default).
var Roles = []Role{Integration, Partner, Intake, Investigator, Coordinator, Admin, Operator}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return slices.Contains(Roles, Role(r)) }

// Actor is who asks. The zero Actor is the public (no account).
type Actor struct {
	UserID string
	OrgID  string
	Role   Role
	// MustEnrolTOTP marks a session opened with a password alone by an
	// account whose organisation requires a second factor for its role
	// (NeedsSecondFactor): until it sets one up it may do nothing but that
	// (its own account page), and Can refuses it everything else.
	MustEnrolTOTP bool
}

// Public reports whether a is the anonymous public.
func (a Actor) Public() bool { return a.UserID == "" }

// Action is what an actor wants to do.
type Action string

// The actions. Every API route and page names exactly one.
const (
	SubmitReport    Action = "report.submit"    // public intake
	TrackReport     Action = "report.track"     // public, with the secret
	CheckPublic     Action = "public.check"     // public aggregate checks
	CreateReport    Action = "report.create"    // staff intake by phone, chat, e-mail
	ListReports     Action = "report.list"      //
	ReadReport      Action = "report.read"      //
	RevealSealed    Action = "report.reveal"    // open sealed fields, audited
	AddStatement    Action = "report.statement" // add a statement, recantation or correction
	EraseReport     Action = "report.erase"     // destroy the data key
	TriageReport    Action = "report.triage"    // merge a duplicate, dismiss, reopen; add a report to a case or move it
	CreateCase      Action = "case.create"      //
	ListCases       Action = "case.list"        //
	ReadCase        Action = "case.read"        //
	ReadHistory     Action = "case.history"     // a case's audit trail and its reports' reveals (not a partner's)
	UpdateCase      Action = "case.update"      // status, urgency, title
	AssignCase      Action = "case.assign"      //
	ReferCase       Action = "case.refer"       //
	ListReferrals   Action = "referral.list"    //
	ReadReferral    Action = "referral.read"    //
	RespondReferral Action = "referral.respond" //
	ManageOrgs      Action = "org.manage"       // create organisations: the instance's operators
	ReadOrgs        Action = "org.read"         // names of organisations, to refer to
	ManageUsers     Action = "user.manage"      // create, disable and enable accounts (see Resource.Account)
	ReadUsers       Action = "user.read"        // colleagues, to assign cases
	ManageTokens    Action = "token.manage"     // create, list and revoke API tokens (see Resource.Account)
	ReadAudit       Action = "audit.read"       // the organisation's audit trail
	ReadOrgAudit    Action = "audit.orgs"       // every organisation's organisation-management events
	ReadStats       Action = "stats.read"       //
	ReadLinks       Action = "links.read"       //
	MarkIdentifier  Action = "identifier.side"  // say an identifier is victim- or recruiter-side, audited
	RunScreen       Action = "screen.run"       //
	ReviewScreen    Action = "screen.review"    //
	ManageLists     Action = "watchlist.manage" //
	Search          Action = "search"           // search reports and cases; each result is checked with ReadReport or ReadCase
)

// The actions on a case's internal notes (casework's notes.go). A partner
// never has them, whatever a referral shares.
const (
	ReadNotes Action = "case.notes" // read a case's notes, every version
	WriteNote Action = "case.note"  // add a note; edit one's own (a new version)
)

// The actions on the conversation with a report's reporter (intake's
// messages.go). A partner never has them: the reporter talks to the
// organisation that received the report.
const (
	ReadMessages  Action = "report.messages" // read the conversation with the reporter
	WriteReporter Action = "report.message"  // write to the reporter
)

// The actions on what the public check may trust (links.Check).
const (
	VerifyReport    Action = "report.verify"      // mark a report verified, so the public check counts it; audited
	ManageProtected Action = "identifier.protect" // register the organisation's own and partners' contacts as legitimate; audited
)

// ExportData exports the organisation's data in the formats partners use
// (internal/export: STIX, FollowTheMoney, CTDC, CSV, XLSX); audited. Its
// sealed fields need RevealSealed besides.
const ExportData Action = "data.export"

// ManageWebhooks registers and deletes the organisation's webhook
// endpoints and reads their delivery log (internal/webhooks); audited.
const ManageWebhooks Action = "webhook.manage"

// Resource is what an action is done to, as far as access depends on it.
type Resource struct {
	// OrgID owns the resource ("" for none: a global resource).
	OrgID string
	// ReferredTo lists the organisations a case (or its reports) is
	// referred to.
	ReferredTo []string
	// Shared lists the fields the referrals to the actor's organisation
	// share; it matters only for partners.
	Shared []string
	// Account is the staff account that ManageUsers or ManageTokens acts
	// on, in organisation OrgID. Nil asks whether the actor may do the
	// action at all: to some account of OrgID (ManageUsers), to its own
	// (ManageTokens).
	Account *Account
	// NoAdmin says that OrgID has no enabled admin: only then may an
	// operator create one. The zero value is the safe one.
	NoAdmin bool
}

// Account is a staff account as far as the policy looks at it.
type Account struct {
	UserID string
	Role   Role
}

// AddReferral records that the resource is referred to toOrg, sharing
// fields. The shared fields count only when toOrg is the actor's
// organisation: they are what that actor, as a partner, may see.
func (r *Resource) AddReferral(a Actor, toOrg string, shared []string) {
	r.ReferredTo = append(r.ReferredTo, toOrg)
	if toOrg != a.OrgID {
		return
	}
	for _, f := range shared {
		if !slices.Contains(r.Shared, f) {
			r.Shared = append(r.Shared, f)
		}
	}
}

// SharedIdentity is the referral field that lets a partner reveal victims'
// identities (a police unit that must find a person still held).
const SharedIdentity = "victim_identity"

// org-scoped grants by role: what each role may do inside its own
// organisation.
var ownOrg = map[Role][]Action{
	Coordinator: {CreateReport, ListReports, ReadReport, RevealSealed, AddStatement, EraseReport, TriageReport, ReadMessages, WriteReporter,
		CreateCase, ListCases, ReadCase, ReadHistory, UpdateCase, AssignCase, ReferCase, ListReferrals, ReadReferral, ReadNotes, WriteNote,
		ReadAudit, ReadStats, ReadLinks, MarkIdentifier, VerifyReport, ManageProtected, RunScreen, ReviewScreen, ReadOrgs, ReadUsers, Search, ExportData, ManageWebhooks},
	Investigator: {ListReports, ReadReport, RevealSealed, AddStatement, ReadMessages, WriteReporter,
		ListCases, ReadCase, ReadHistory, UpdateCase, ReadNotes, WriteNote, ListReferrals, ReadReferral, ReadLinks, MarkIdentifier, VerifyReport, RunScreen, ReviewScreen, ReadStats, ReadOrgs, ReadUsers, Search},
	Intake: {CreateReport, ListReports, ReadReport, AddStatement, TriageReport, ReadMessages, WriteReporter,
		CreateCase, ListCases, ReadCase, ReadHistory, AssignCase, ReferCase, ListReferrals, ReadReferral, ReadNotes, WriteNote, ReadOrgs, ReadUsers, Search},
	Admin:   {ReadOrgs, ManageUsers, ReadUsers, ReadAudit, ManageLists, ReadStats, ManageProtected, ExportData, ManageWebhooks},
	Partner: {ListCases, ListReferrals, ReadOrgs},
	// An integration account files reports for its organisation (staff
	// intake from another system) and reads nothing back.
	Integration: {CreateReport},
}

// adminManages lists the roles whose accounts an admin creates, disables
// and enables in its own organisation: every role but Operator, whose
// accounts only the command line (whoever holds the data directory) makes.
var adminManages = []Role{Integration, Partner, Intake, Investigator, Coordinator, Admin}

// Can decides every access in Vigil: whether actor a may do act to r. It is
// pure: it looks at nothing but its arguments.
//
// Beyond the table above:
//   - API tokens: every account but an integration account manages its own;
//     an admin also those of its own organisation's integration accounts,
//     and no one else's, so no one can act as another person.
//   - Accounts: an admin manages its own organisation's accounts, operators
//     excepted; no one manages another organisation's.
//   - Operators run the instance: they create organisations, read their
//     names and their organisation-management audit events, and create an
//     organisation's admin while it has no enabled admin. They read no
//     report, case, referral, statistic, user list or organisation's audit
//     trail.
//   - Partners: see partnerCan.
//   - A session that must still set up a second factor may do nothing.
func Can(a Actor, act Action, r Resource) bool {
	switch act {
	case SubmitReport, TrackReport, CheckPublic:
		return true
	}
	if a.Public() || a.OrgID == "" || a.MustEnrolTOTP {
		return false
	}
	if act == ManageTokens {
		return tokenCan(a, r)
	}
	switch a.Role {
	case Partner:
		return partnerCan(a, act, r)
	case Operator:
		return operatorCan(act, r)
	}
	if r.OrgID != "" && r.OrgID != a.OrgID {
		return false
	}
	if act == ManageUsers && r.Account != nil && !slices.Contains(adminManages, r.Account.Role) {
		return false
	}
	return slices.Contains(ownOrg[a.Role], act)
}

// tokenCan decides ManageTokens: one's own tokens (an integration account's
// are its admin's to manage), and an admin's own organisation's
// integration accounts'.
func tokenCan(a Actor, r Resource) bool {
	if r.OrgID != "" && r.OrgID != a.OrgID {
		return false
	}
	if r.Account == nil || r.Account.UserID == a.UserID {
		return a.Role != Integration
	}
	return a.Role == Admin && r.Account.Role == Integration
}

// operatorCan is the operator's whole world: organisations, their
// management events, and a first admin for an organisation without one.
func operatorCan(act Action, r Resource) bool {
	switch act {
	case ManageOrgs, ReadOrgs, ReadOrgAudit:
		return true
	case ManageUsers:
		return r.Account != nil && r.Account.Role == Admin && r.NoAdmin
	}
	return false
}

// partnerCan is the partner's whole world: the cases referred to its
// organisation, the referral itself, and sealed identities only where the
// referral shares them.
func partnerCan(a Actor, act Action, r Resource) bool {
	referred := slices.Contains(r.ReferredTo, a.OrgID)
	switch act {
	case ListCases, ListReferrals, ReadOrgs, Search:
		return r.OrgID == "" || r.OrgID == a.OrgID
	case ReadCase, ReadReport, ReadReferral:
		return referred
	case RespondReferral:
		return referred
	case RevealSealed:
		return referred && slices.Contains(r.Shared, SharedIdentity)
	}
	return false
}
