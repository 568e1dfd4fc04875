package store

import "strings"

// The records below are rows as stored. Services translate them to API shapes;
// sealed fields are ciphertext here and never leave a service unopened.

// Organisation is an NGO, police unit, embassy, hotline or newsroom.
type Organisation struct {
	ID      string
	Name    string
	Kind    string
	Country string
	// ReceivesPublic marks the organisation that receives reports filed by
	// the public on this instance.
	ReceivesPublic bool
	// TOTPOptional lets the roles that need a second factor
	// (auth.NeedsSecondFactor) sign in without one; off by default.
	TOTPOptional bool
	CreatedAt    int64
	// TimeZone is the organisation's IANA time zone; "" until set, when its
	// country's decides.
	TimeZone string
}

// User is a staff account; it belongs to one organisation and has one role.
type User struct {
	ID           string
	OrgID        string
	Email        string
	Name         string
	Role         string
	PasswordHash string
	TOTPSecret   string
	// TOTPStep is the last TOTP time step a sign-in used.
	TOTPStep  int64
	Disabled  bool
	CreatedAt int64
	// TimeZone is the user's own choice of IANA time zone; "": the
	// organisation's.
	TimeZone string
}

// Token is an API token; only its SHA-256 hash is stored.
type Token struct {
	ID        string
	UserID    string
	Name      string
	Hash      []byte
	CreatedAt int64
	ExpiresAt int64
	Revoked   bool
	// LastUsedAt is when the token last authenticated a request, to the
	// minute (0: never).
	LastUsedAt int64
}

// Session is a staff login; only the hash of its cookie value is stored.
type Session struct {
	Hash      []byte
	UserID    string
	CreatedAt int64
	SeenAt    int64
	ExpiresAt int64
}

// Victim is what is known of one victim without identifying them. Names,
// passport numbers and contacts are in the report's sealed part.
type Victim struct {
	Nationality string `json:"nationality,omitempty"`
	AgeBand     string `json:"age_band,omitempty"`
	Gender      string `json:"gender,omitempty"`
	StillHeld   bool   `json:"still_held"`
}

// PlaceRef is a place named in a report. Intake resolves it against the
// gazetteer: PlaceID and Country are the gazetteer place's when it knows the
// name, else empty. The store never resolves a name itself.
type PlaceRef struct {
	Name    string `json:"name"`
	PlaceID string `json:"place_id,omitempty"`
	Country string `json:"country,omitempty"`
}

// Key is the key the place is counted and filtered under (report_stats,
// report_places): its gazetteer ID, or the name as typed (trimmed) when the
// gazetteer does not know it.
func (p PlaceRef) Key() string {
	if p.PlaceID != "" {
		return p.PlaceID
	}
	return strings.TrimSpace(p.Name)
}

// Subject is a person or company a report names as involved on the
// perpetrators' side (recruiter, boss, company, casino). Subjects are screened
// against watch lists; they are not sealed.
type Subject struct {
	Name string `json:"name"`
	// Type is "person", "company" or "" when not known.
	Type string `json:"type,omitempty"`
	Role string `json:"role,omitempty"`
}

// Report is what one person told us once.
type Report struct {
	ID            string
	OrgID         string
	TrackingCode  string
	SecretHash    []byte
	Channel       string
	Language      string
	Country       string
	IncidentTypes []string
	Victims       []Victim
	Places        []PlaceRef
	Subjects      []Subject
	Urgent        bool
	Status        string
	// Sealed is the report's identifying part, encrypted with its data key.
	Sealed     []byte
	ErasedAt   int64
	CreatedBy  string
	ReceivedAt int64
	UpdatedAt  int64
	// ContactedAt is when the reporter first reached the organisation, for
	// a report staff entered (by phone, in person, from a letter): the
	// start of that day, UTC. 0 when not given (migration 0019).
	ContactedAt int64
}

// Statement is the words of one person at one time; its text lives in
// append-only versions.
type Statement struct {
	ID            string
	ReportID      string
	Kind          string
	RecantsID     string
	Language      string
	Source        string
	TakenBy       string
	Circumstances string
	// Channel is how a statement staff took reached them (phone, walk_in,
	// chat, letter, other); CreatedBy is then who took it. Empty for a
	// statement the reporter filed.
	Channel   string
	CreatedBy string
	CreatedAt int64
}

// StatementVersion is one version of a statement's text. Text and Salt are
// sealed with the report's data key.
type StatementVersion struct {
	StatementID string
	Version     int
	Text        []byte
	Salt        []byte
	CreatedBy   string
	CreatedAt   int64
}

// Attachment is a file attached to a report, stored outside the database
// under its SHA-256. Name and Salt are sealed.
type Attachment struct {
	ID        string
	ReportID  string
	SHA256    string
	MediaType string
	Size      int64
	Name      []byte
	Salt      []byte
	CreatedAt int64
}

// Case groups reports about the same victims or events.
type Case struct {
	ID         string
	OrgID      string
	Title      string
	Status     string
	Urgency    string
	AssigneeID string
	DueAt      int64
	CreatedBy  string
	CreatedAt  int64
	UpdatedAt  int64
	// Version counts updates; it is the case's ETag.
	Version int
}

// Referral passes a case to a partner organisation with the fields it shares.
type Referral struct {
	ID        string
	CaseID    string
	FromOrgID string
	ToOrgID   string
	Shared    []string
	Note      string
	// PartnerTitle is the title the partner sees for the case, written by
	// the referrer; "" for none (the partner sees a neutral one).
	PartnerTitle string
	Status       string
	Response     string
	RespondedBy  string
	CreatedBy    string
	CreatedAt    int64
	RespondedAt  int64
	Version      int
}

// AuditEvent records a change or a read of sealed data.
type AuditEvent struct {
	ID         string
	At         int64
	ActorID    string
	ActorOrgID string
	// OrgID owns the resource: the event is in that organisation's trail
	// ("" when it has none; ActorOrgID is stored then).
	OrgID        string
	Action       string
	ResourceType string
	ResourceID   string
	// SealedReason is the reason the actor gave, sealed under a key derived
	// from the master key and bound to ID (see package audit); nil when
	// none was given.
	SealedReason []byte
	// Reason is never written: PutAuditEvent refuses an event with one. A
	// reader gets it from package audit, which opens SealedReason; the
	// store fills it only for a reason stored in plaintext before
	// migration 0011 and not yet sealed.
	Reason string
	Detail string
}

// LedgerEntry is a commitment queued for, or integrated into, the testimony
// ledger. LeafIndex is -1 while the entry waits for the sequencer.
type LedgerEntry struct {
	ID         string
	Kind       string
	RecordID   string
	Version    int
	Entry      []byte
	LeafIndex  int64
	ReceivedAt int64
}
