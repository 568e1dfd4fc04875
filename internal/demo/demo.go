// Package demo loads a realistic, multilingual demo data set: a hotline,
// an NGO, a police unit and an embassy with staff in every role (the
// hotline also hosts the instance's operator), and
// reports in English, Chinese, Khmer, Thai and Vietnamese about deceptive
// recruitment and confinement in Sihanoukville, Bavet, Poipet and Myawaddy.
// Several reports share the same recruiter phone number (written three
// ways) and Telegram handle, and one case holds a testimony, its
// recantation taken by police and a medical source, side by side.
// Every person, number and handle in it is invented.
package demo

import (
	"context"
	"fmt"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/staff"
)

// Password is every demo account's password. Demo data only.
const Password = "vigil-demo-password"

// Credential is a demo account.
type Credential struct {
	Role  string
	Email string
}

// Options tune the demo.
type Options struct{}

// Result says what the demo created, for tests and the CLI.
type Result struct {
	Orgs    map[string]string // short name → id
	Users   map[string]string // e-mail → id
	Reports map[string]string // short name → id
	Cases   map[string]string // short name → id
}

// LoadIfEmpty loads the demo unless the database already has organisations.
func LoadIfEmpty(ctx context.Context, srv *server.Server, opt Options) (bool, []Credential, error) {
	orgs, err := srv.DB.Read().ListOrganisations(ctx)
	if err != nil {
		return false, nil, err
	}
	if len(orgs) > 0 {
		return false, nil, nil
	}
	_, creds, err := Load(ctx, srv, opt)
	return err == nil, creds, err
}

// Load creates the demo data set.
func Load(ctx context.Context, srv *server.Server, opt Options) (*Result, []Credential, error) {
	srv.Start(ctx)
	if _, err := srv.Screen.LoadDemo(ctx); err != nil {
		return nil, nil, fmt.Errorf("demo watch list: %w", err)
	}
	res := &Result{Orgs: map[string]string{}, Users: map[string]string{}, Reports: map[string]string{}, Cases: map[string]string{}}
	orgs := []struct {
		key string
		in  staff.OrgIn
	}{
		{"hotline", staff.OrgIn{Name: "Mekong Anti-Trafficking Hotline", Kind: "hotline", Country: "KH", ReceivesPublic: true}},
		{"ngo", staff.OrgIn{Name: "Safe Return Alliance", Kind: "ngo", Country: "TH"}},
		{"police", staff.OrgIn{Name: "Anti-Human Trafficking Police, Preah Sihanouk", Kind: "police", Country: "KH"}},
		{"embassy", staff.OrgIn{Name: "Embassy Consular Protection Desk (demo)", Kind: "embassy", Country: "KH"}},
		{"newsroom", staff.OrgIn{Name: "Border Desk Newsroom", Kind: "newsroom", Country: "TH"}},
	}
	for _, o := range orgs {
		// The demo's admins and coordinators sign in with the demo
		// password alone, so anyone can try every role; a real
		// organisation requires them to set up an authenticator app.
		o.in.TOTPOptional = true
		v, err := srv.Staff.CreateOrg(ctx, staff.System, &o.in)
		if err != nil {
			return nil, nil, fmt.Errorf("organisation %s: %w", o.key, err)
		}
		res.Orgs[o.key] = v.ID
	}
	users := []struct{ org, email, name, role string }{
		{"hotline", "admin@hotline.demo", "Dara Admin", "admin"},
		{"hotline", "coordinator@hotline.demo", "Sreymom Coordinator", "coordinator"},
		{"hotline", "investigator@hotline.demo", "Vichea Investigator", "investigator"},
		{"hotline", "intake@hotline.demo", "Bopha Intake", "intake"},
		{"police", "partner@police.demo", "Lt. Sokha (police liaison)", "partner"},
		{"embassy", "partner@embassy.demo", "Consul Wulan (embassy liaison)", "partner"},
		{"ngo", "coordinator@ngo.demo", "Nattaya Coordinator", "coordinator"},
		{"hotline", "operator@hotline.demo", "Instance Operator", "operator"},
		// An integration account (the hotline's call-centre system) has no
		// password: its admin makes API tokens for it.
		{"hotline", "callcentre@hotline.demo", "Call-centre system", "integration"},
	}
	var creds []Credential
	for _, u := range users {
		in := &staff.UserIn{OrgID: res.Orgs[u.org], Email: u.email, Name: u.name, Role: u.role, Password: Password}
		if u.role == string(auth.Integration) {
			in.Password = ""
		}
		v, err := srv.Staff.CreateUser(ctx, staff.System, in)
		if err != nil {
			return nil, nil, fmt.Errorf("user %s: %w", u.email, err)
		}
		res.Users[u.email] = v.ID
		if in.Password != "" {
			creds = append(creds, Credential{Role: u.role, Email: u.email})
		}
	}
	public := auth.Actor{}
	for _, r := range reports() {
		ack, err := srv.Intake.Submit(ctx, public, r.sub)
		if err != nil {
			return nil, nil, fmt.Errorf("report %s: %w", r.key, err)
		}
		res.Reports[r.key] = ack.ID
	}
	intakeActor := auth.Actor{UserID: res.Users["intake@hotline.demo"], OrgID: res.Orgs["hotline"], Role: auth.Intake}
	investigator := auth.Actor{UserID: res.Users["investigator@hotline.demo"], OrgID: res.Orgs["hotline"], Role: auth.Investigator}

	// The blood case: the first statement alleges blood was drawn and sold;
	// a statement taken by police recants it; a medical source confirms the
	// blood loss. All three stand side by side.
	blood, err := srv.Intake.Get(ctx, investigator, res.Reports["blood"])
	if err != nil {
		return nil, nil, err
	}
	first := blood.Statements[0].ID
	if _, err := srv.Intake.AddStatement(ctx, investigator, res.Reports["blood"], &intake.StatementIn{
		Kind: intake.KindRecantation, RecantsID: first, Language: "km",
		Text:          "ខ្ញុំមិនដែលត្រូវគេបូមឈាមទេ។ ខ្ញុំឈឺ ហើយខ្ញុំនិយាយមិនត្រូវ។ ក្រុមហ៊ុនបានមើលថែខ្ញុំល្អ។ (I was never made to give blood. I was ill and said things that were not right. The company treated me well.)",
		TakenBy:       "Anti-Human Trafficking Police, Preah Sihanouk",
		Circumstances: "Taken at the compound's own office, with a company manager in the room; the worker had not yet been released.",
	}); err != nil {
		return nil, nil, fmt.Errorf("recantation: %w", err)
	}
	if _, err := srv.Intake.AddStatement(ctx, investigator, res.Reports["blood"], &intake.StatementIn{
		Kind: intake.KindThirdParty, Language: "en",
		Text:   "Admission note, provincial referral hospital: severe anaemia (haemoglobin 6.1 g/dL), multiple venepuncture marks on both arms at different stages of healing, consistent with repeated large-volume blood draws over several weeks. No other source of blood loss found.",
		Source: "Provincial referral hospital, medical record (copy held by the hotline)",
	}); err != nil {
		return nil, nil, fmt.Errorf("medical source: %w", err)
	}

	cases := []struct {
		key, title string
		reports    []string
	}{
		{"golden", "Recruiter +855 12 345 678 / @golden_job_kh — Sihanoukville compound", []string{"en-lure", "zh-xigang", "km-sihanoukville"}},
		{"blood", "Worker alleging forced blood draws — Sihanoukville", []string{"blood"}},
		{"myawaddy", "Vietnamese workers held near Myawaddy", []string{"vi-myawaddy"}},
	}
	for _, c := range cases {
		var ids []string
		for _, k := range c.reports {
			ids = append(ids, res.Reports[k])
		}
		v, err := srv.Casework.Create(ctx, intakeActor, &casework.CaseIn{ReportIDs: ids, Title: c.title})
		if err != nil {
			return nil, nil, fmt.Errorf("case %s: %w", c.key, err)
		}
		res.Cases[c.key] = v.ID
	}
	coordinator := auth.Actor{UserID: res.Users["coordinator@hotline.demo"], OrgID: res.Orgs["hotline"], Role: auth.Coordinator}
	if _, err := srv.Casework.Update(ctx, coordinator, res.Cases["golden"], 1, &casework.Patch{Status: ptr(casework.StatusTriaged), AssigneeID: ptr(res.Users["investigator@hotline.demo"])}); err != nil {
		return nil, nil, fmt.Errorf("triage: %w", err)
	}
	if _, err := srv.Casework.Refer(ctx, coordinator, res.Cases["golden"], &casework.ReferralIn{
		ToOrgID: res.Orgs["police"], Shared: []string{intake.ShareIncidentTypes, intake.ShareVictims, intake.SharePlaces, intake.ShareSubjects, intake.ShareStatements, intake.ShareIdentity},
		Note:         "Two victims still held; recruiter numbers and handle attached. Please confirm receipt.",
		PartnerTitle: "Recruitment network, Sihanoukville compound: two victims held",
	}); err != nil {
		return nil, nil, fmt.Errorf("referral: %w", err)
	}
	// Link the reports now, so the demo opens with its clusters in place.
	if err := srv.Jobs.Drain(ctx); err != nil {
		return nil, nil, fmt.Errorf("linking: %w", err)
	}
	return res, creds, nil
}

func ptr[T any](v T) *T { return &v }
