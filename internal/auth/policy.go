package auth

import "slices"

// Role is what a staff member does.
type Role string

// The roles, as in DESIGN.md.
const (
	Admin        Role = "admin"
	Coordinator  Role = "coordinator"
	Investigator Role = "investigator"
	Intake       Role = "intake"
	Partner      Role = "partner"
)

// Roles lists every role.
var Roles = []Role{Admin, Coordinator, Investigator, Intake, Partner}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return slices.Contains(Roles, Role(r)) }

// Actor is who asks. The zero Actor is the public (no account).
type Actor struct {
	UserID string
	OrgID  string
	Role   Role
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
	CreateCase      Action = "case.create"      //
	ListCases       Action = "case.list"        //
	ReadCase        Action = "case.read"        //
	UpdateCase      Action = "case.update"      // status, urgency, title
	AssignCase      Action = "case.assign"      //
	ReferCase       Action = "case.refer"       //
	ListReferrals   Action = "referral.list"    //
	ReadReferral    Action = "referral.read"    //
	RespondReferral Action = "referral.respond" //
	ManageOrgs      Action = "org.manage"       //
	ReadOrgs        Action = "org.read"         // names of organisations, to refer to
	ManageUsers     Action = "user.manage"      //
	ReadUsers       Action = "user.read"        // colleagues, to assign cases
	ReadAudit       Action = "audit.read"       //
	ReadStats       Action = "stats.read"       //
	ReadLinks       Action = "links.read"       //
	MarkIdentifier  Action = "identifier.side"  // say an identifier is victim- or recruiter-side, audited
	RunScreen       Action = "screen.run"       //
	ReviewScreen    Action = "screen.review"    //
	ManageLists     Action = "watchlist.manage" //
)

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
	Coordinator: {CreateReport, ListReports, ReadReport, RevealSealed, AddStatement, EraseReport,
		CreateCase, ListCases, ReadCase, UpdateCase, AssignCase, ReferCase, ListReferrals, ReadReferral,
		ReadAudit, ReadStats, ReadLinks, MarkIdentifier, RunScreen, ReviewScreen, ReadOrgs, ReadUsers},
	Investigator: {ListReports, ReadReport, RevealSealed, AddStatement,
		ListCases, ReadCase, UpdateCase, ListReferrals, ReadReferral, ReadLinks, MarkIdentifier, RunScreen, ReviewScreen, ReadStats, ReadOrgs, ReadUsers},
	Intake: {CreateReport, ListReports, ReadReport, AddStatement,
		CreateCase, ListCases, ReadCase, AssignCase, ReferCase, ListReferrals, ReadReferral, ReadOrgs, ReadUsers},
	Admin:   {ManageOrgs, ReadOrgs, ManageUsers, ReadUsers, ReadAudit, ManageLists, ReadStats},
	Partner: {ListCases, ListReferrals, ReadOrgs},
}

// Can decides every access in Vigil: whether actor a may do act to r. It is
// pure: it looks at nothing but its arguments.
func Can(a Actor, act Action, r Resource) bool {
	switch act {
	case SubmitReport, TrackReport, CheckPublic:
		return true
	}
	if a.Public() || a.OrgID == "" {
		return false
	}
	if a.Role == Partner {
		return partnerCan(a, act, r)
	}
	if r.OrgID != "" && r.OrgID != a.OrgID {
		return false
	}
	return slices.Contains(ownOrg[a.Role], act)
}

// partnerCan is the partner's whole world: the cases referred to its
// organisation, the referral itself, and sealed identities only where the
// referral shares them.
func partnerCan(a Actor, act Action, r Resource) bool {
	referred := slices.Contains(r.ReferredTo, a.OrgID)
	switch act {
	case ListCases, ListReferrals, ReadOrgs:
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
