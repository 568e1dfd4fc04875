package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

const standards = "../../../shared/standards"

// world is a server with one organisation and the import service.
type world struct {
	srv   *server.Server
	svc   *ingest.Service
	org   string
	actor auth.Actor
	coord auth.Actor
}

func newWorld(t testing.TB, e store.Engine) *world {
	t.Helper()
	return newWorldOpt(t, servertest.Options{Engine: e})
}

// newWorldOpt is newWorld on a server made with opt (Start, to file
// reports through intake.Submit, which waits for intake's batcher).
func newWorldOpt(t testing.TB, opt servertest.Options) *world {
	t.Helper()
	srv := servertest.New(t, opt)
	o, err := staff.New(srv.DB, time.Hour).CreateOrg(context.Background(), staff.System, &staff.OrgIn{Name: "Hotline", Kind: "ngo", Country: "TH"})
	if err != nil {
		t.Fatal(err)
	}
	svc := ingest.New(srv.DB, srv.Intake, srv.Log)
	svc.HTTP = nil
	return &world{srv: srv, svc: svc, org: o.ID,
		actor: auth.Actor{UserID: "system", OrgID: o.ID, Role: auth.Intake},
		coord: auth.Actor{UserID: store.NewID(), OrgID: o.ID, Role: auth.Coordinator}}
}

func engines(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

func mapping(t testing.TB, name string) *ingest.Mapping {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ingest.ParseMapping(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func prepare(t testing.TB, format, path string, m *ingest.Mapping) *ingest.Plan {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ingest.Prepare(format, path, bytes.NewReader(b), m, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *world) report(t *testing.T, id string) *intake.ReportView {
	t.Helper()
	v, err := w.srv.Intake.Get(context.Background(), w.coord, id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (w *world) count(t *testing.T, what string) int {
	t.Helper()
	ctx := context.Background()
	q := w.srv.DB.Read()
	var n int64
	var err error
	switch what {
	case "reports":
		n, err = q.CountReports(ctx)
	case "ledger_entries":
		n, err = q.CountPendingLedgerEntries(ctx)
	case "import_rows":
		var i int
		i, err = q.CountImportRows(ctx, w.org)
		n = int64(i)
	case "jobs":
		var js []*store.Job
		err = w.srv.DB.Tx(ctx, func(q store.Q) error {
			js, err = q.ClaimJobs(ctx, w.srv.Intake.FollowUps, 1000, time.Now().UnixMicro(), time.Now().Add(time.Hour).UnixMicro())
			return err
		})
		n = int64(len(js))
	}
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// xlsxOf writes a CSV file's rows as a workbook's first sheet.
func xlsxOf(t *testing.T, csvPath string) string {
	t.Helper()
	b, _ := os.ReadFile(csvPath)
	tab, err := ingest.ReadCSV(bytes.NewReader(b), "")
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	head := make([]any, len(tab.Headers))
	for i, h := range tab.Headers {
		head[i] = h
	}
	sw.SetRow("A1", head)
	for _, r := range tab.Records {
		row := make([]any, len(tab.Headers))
		for i, h := range tab.Headers {
			row[i] = r.Get(h)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r.Line)
		sw.SetRow(cell, row)
	}
	sw.Flush()
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(csvPath), ".csv")+".xlsx")
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportSpreadsheet(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			engines(t, func(t *testing.T, e store.Engine) {
				w := newWorld(t, e)
				ctx := context.Background()
				path := "testdata/cases.csv"
				if format == "xlsx" {
					path = xlsxOf(t, path)
				}
				m := mapping(t, "cases.yaml")
				p := prepare(t, format, path, m)
				dry, err := w.svc.Import(ctx, w.actor, p, ingest.Options{DryRun: true})
				if err != nil {
					t.Fatal(err)
				}
				if dry.Created != 3 || w.count(t, "reports") != 0 || w.count(t, "import_rows") != 0 {
					t.Fatalf("dry run: %+v, %d reports; want 3 to create and none written", dry, w.count(t, "reports"))
				}
				res, err := w.svc.Import(ctx, w.actor, p, ingest.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Created != 3 || len(res.Reports) != 3 {
					t.Fatalf("import: %+v; want 3 created", res)
				}
				v := w.report(t, res.Reports[0])
				if v.Channel != "import" || v.ContactedOn != "2024-02-03" || v.Country != "TH" {
					t.Errorf("report: channel %q contacted %q country %q; want import, 2024-02-03, TH", v.Channel, v.ContactedOn, v.Country)
				}
				if !slices.Equal(v.IncidentTypes, []string{"forced_criminality", "passport_confiscation"}) {
					t.Errorf("incident types %v", v.IncidentTypes)
				}
				if len(v.Victims) != 1 || v.Victims[0].AgeBand != "18_25" || v.Victims[0].Gender != "male" || v.Victims[0].Nationality != "KE" || !v.Victims[0].StillHeld {
					t.Errorf("victims %+v", v.Victims)
				}
				if len(v.Statements) == 0 || !strings.Contains(v.Statements[0].Versions[0].Text, "romance scams") || !strings.Contains(v.Statements[0].Versions[0].Text, "Recruiter contact: +66 81 234 5678") {
					t.Errorf("statements %+v", v.Statements)
				}
				if len(v.Places) != 1 || v.Places[0].Name != "Shwe Kokko" {
					t.Errorf("places %+v", v.Places)
				}
				// Every report is committed to the ledger and has its follow-ups queued.
				if n := w.count(t, "ledger_entries"); n < 3 {
					t.Errorf("%d ledger entries; want one per statement", n)
				}
				if n := w.count(t, "jobs"); n < 3 {
					t.Errorf("%d jobs queued; want the follow-ups of 3 reports", n)
				}
				// Again: nothing new.
				again, err := w.svc.Import(ctx, w.actor, prepare(t, format, path, m), ingest.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if again.Created != 0 || again.Already != 3 || w.count(t, "reports") != 3 {
					t.Fatalf("re-import: %+v, %d reports; want nothing new", again, w.count(t, "reports"))
				}
			})
		})
	}
}

func TestProblemsNameLineAndColumn(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			path := "testdata/bad.csv"
			if format == "xlsx" {
				path = xlsxOf(t, path)
			}
			b, _ := os.ReadFile(path)
			_, err := ingest.Prepare(format, path, bytes.NewReader(b), mapping(t, "cases.yaml"), time.Now())
			var ps *ingest.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("got %v; want problems", err)
			}
			got := err.Error()
			for _, want := range []string{
				path + `:2: column Date received: "31/02/2024" is not a date as DD/MM/YYYY`,
				path + `:3: column Type: "Smuggling" is not an incident type`,
				path + `:3: column Sex: "X" is not a gender`,
				path + `:3: column Nationality: "Narnia" is not an ISO 3166-1 alpha-2 country code`,
				path + `:3: column Age: "two hundred" is not an age in years`,
				path + `:3: column Still held: "perhaps" is not yes or no`,
				path + `:4: column Case ID: is the row's key (key in the mapping) but is empty`,
				path + `:5: column Case ID: repeats the key of line 2`,
			} {
				if !strings.Contains(got, want) {
					t.Errorf("problems lack %q; got\n%s", want, got)
				}
			}
		})
	}
}

// TestKoboProblemLines names the line where the faulty submission starts.
func TestKoboProblemLines(t *testing.T) {
	data := "{\"count\": 2, \"results\": [\n  {\"meta/rootUuid\": \"uuid:1\", \"person/gender\": \"Masculine\"},\n\n  {\n    \"meta/rootUuid\": \"uuid:2\",\n    \"person/gender\": \"Robot\",\n    \"location_of_exploitation\": \"91 200\"\n  }\n]}\n"
	_, err := ingest.Prepare("kobo", "k.json", strings.NewReader(data), mapping(t, "kobo.yaml"), time.Now())
	for _, want := range []string{`k.json:4: column person/gender: "Robot" is not a gender`, `k.json:4: column location_of_exploitation: "91 200" is not a geopoint: latitude or longitude out of range`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want %q", err, want)
		}
	}
}

func TestMalformedFiles(t *testing.T) {
	m := mapping(t, "cases.yaml")
	for _, tc := range []struct {
		name, format, data, want string
	}{
		{"unclosed quote", "csv", "Case ID,What happened\nA,\"open\nB,x\n", `f:2: extraneous or missing " in quoted-field`},
		{"not utf-8", "csv", "Case ID,What happened\nA,ok\nB,\xff\xfe\n", "f:3: is not UTF-8 text"},
		{"duplicate header", "csv", "Case ID,Case ID\n", "f:1: column Case ID: is named twice"},
		{"missing column", "csv", "Case ID,What happened\nA,x\n", "f:1: column Date received: is mapped to date but the file has no such column"},
		{"empty", "csv", "", "f:1: the file is empty"},
		{"not xlsx", "xlsx", "PK\x03\x04garbage", "f:is not an XLSX workbook"},
		{"bad json", "kobo", "[\n{\"_id\": 1},\n{\"_id\": 2,,}\n]", "f:3: is not Kobo JSON"},
		{"json scalar", "kobo", "42", "f:1: is not Kobo JSON"},
		{"excel serial date read", "csv", "Case ID,Date received,What happened,Type,Victim name,Age,Sex,Nationality,Still held,Location,Recruiter contact\nA,45352,x,,,,,,,,\nB,99999,y,,,,,,,,\n", `f:3: column Date received: "99999" is not a date`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ingest.Prepare(tc.format, "f", strings.NewReader(tc.data), m, time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want %q", err, tc.want)
			}
		})
	}
}

// roundTripper answers every request with h.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestImportKobo(t *testing.T) {
	png := tinyPNG(t)
	for _, tc := range []struct {
		name              string
		client            *http.Client
		attached, pending int
	}{
		{"attachment fetched", &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			if r.Header.Get("Authorization") != "Token kobo-api-token" {
				return &http.Response{StatusCode: 403, Body: io.NopCloser(strings.NewReader(""))}, nil
			}
			return &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(png)), Header: http.Header{}}, nil
		})}, 1, 0},
		{"server unreachable", &http.Client{Transport: roundTripper(func(*http.Request) (*http.Response, error) {
			return nil, errors.New("dial tcp: no route to host")
		})}, 0, 1},
		{"not an image", &http.Client{Transport: roundTripper(func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("<html>login</html>")), Header: http.Header{}}, nil
		})}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, store.SQLite)
			w.svc.HTTP, w.svc.KoboToken = tc.client, "kobo-api-token"
			ctx := context.Background()
			p := prepare(t, "kobo", standards+"/kobo-odk/examples/kobo-v2-data-list.json", mapping(t, "kobo.yaml"))
			if len(p.Rows) != 1 || p.Skipped != 1 {
				t.Fatalf("plan: %d rows, %d skipped; want 1 and the no-consent one skipped", len(p.Rows), p.Skipped)
			}
			res, err := w.svc.Import(ctx, w.actor, p, ingest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Created != 1 || res.Attached != tc.attached || res.Pending != tc.pending {
				t.Fatalf("import: %+v; want 1 created, %d attached, %d pending", res, tc.attached, tc.pending)
			}
			v := w.report(t, res.Reports[0])
			if !slices.Equal(v.IncidentTypes, []string{"extortion_ransom", "passport_confiscation"}) {
				t.Errorf("incident types %v (select_multiple)", v.IncidentTypes)
			}
			if len(v.Victims) != 1 || v.Victims[0].Gender != "male" || v.Victims[0].AgeBand != "18_25" || v.Victims[0].Nationality != "KE" {
				t.Errorf("victims %+v", v.Victims)
			}
			if len(v.Subjects) != 2 || v.Subjects[0].Name != "Mr. Lim" || v.Subjects[0].Role != "boss" || v.Subjects[1].Name != "Ah Tong" {
				t.Errorf("subjects %+v (repeat group)", v.Subjects)
			}
			if len(v.Places) != 1 || v.Places[0].Name != "Building C, riverside compound" {
				t.Errorf("places %+v", v.Places)
			}
			text := v.Statements[0].Versions[0].Text
			for _, want := range []string{"Location: 16.7123, 98.5671 (within 8.5 m)", "Contact of Mr. Lim: +66 81 000 0000"} {
				if !strings.Contains(text, want) {
					t.Errorf("narrative %q lacks %q", text, want)
				}
			}
			if v.ContactedOn != "2025-03-04" {
				t.Errorf("contacted on %q; want the form's start date", v.ContactedOn)
			}
			pend, err := w.srv.DB.Read().PendingAttachments(ctx, res.Reports[0])
			if err != nil || len(pend) != tc.pending {
				t.Fatalf("pending %v, %v; want %d", pend, err, tc.pending)
			}
			// Fetched again once the server answers: attached, no longer pending.
			w.svc.HTTP = tc.client
			if tc.pending > 0 {
				w.svc.HTTP = &http.Client{Transport: roundTripper(func(*http.Request) (*http.Response, error) {
					return &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(png)), Header: http.Header{}}, nil
				})}
			}
			attached, pending, err := w.svc.FetchPending(ctx)
			if err != nil || attached != tc.pending || pending != 0 {
				t.Fatalf("fetch pending: %d attached, %d pending, %v; want %d, 0", attached, pending, err, tc.pending)
			}
			if pend, _ := w.srv.DB.Read().PendingAttachments(ctx, res.Reports[0]); len(pend) != 0 {
				t.Fatalf("still pending: %v", pend)
			}
			files, err := w.srv.Intake.Attachments(ctx, w.coord, res.Reports[0])
			if err != nil || len(files) != 1 {
				t.Fatalf("attachments %v, %v; want the photo", files, err)
			}
		})
	}
}

func TestKoboHook(t *testing.T) {
	engines(t, func(t *testing.T, e store.Engine) {
		w := newWorld(t, e)
		ctx := context.Background()
		mb, _ := os.ReadFile("testdata/kobo.yaml")
		if _, err := w.svc.CreateKoboHook(ctx, w.coord, w.org, "field team", mb); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("a coordinator created a hook: %v", err)
		}
		token, err := w.svc.CreateKoboHook(ctx, staff.System, w.org, "field team", mb)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := os.ReadFile(standards + "/kobo-odk/examples/kobo-rest-service-post-with-payload-template.json")
		res, err := w.svc.ReceiveKobo(ctx, token, bytes.NewReader(body))
		if err != nil || res.Created != 1 {
			t.Fatalf("delivery: %+v, %v; want 1 report", res, err)
		}
		// Kobo retries and edits deliver the same root UUID: nothing new,
		// and the bare JSON export type is the same submission.
		bare, _ := os.ReadFile(standards + "/kobo-odk/examples/kobo-rest-service-post.json")
		res, err = w.svc.ReceiveKobo(ctx, token, bytes.NewReader(bare))
		if err != nil || res.Created != 0 || res.Already != 1 {
			t.Fatalf("redelivery: %+v, %v; want nothing new", res, err)
		}
		if _, err := w.svc.ReceiveKobo(ctx, token+"x", bytes.NewReader(body)); !errors.Is(err, ingest.ErrUnknownHook) {
			t.Fatalf("unknown token: %v", err)
		}
		_, err = w.svc.ReceiveKobo(ctx, token, strings.NewReader(`{"_id": 5, "meta/rootUuid": "uuid:x", "person/gender": "Robot"}`))
		if err == nil || !strings.Contains(err.Error(), `"Robot" is not a gender`) {
			t.Fatalf("bad submission: %v", err)
		}
	})
}

// TestHTCDS imports a submission of IOM's HTCDS XLSForm with a mapping
// whose every question and choice is checked against the form itself.
func TestHTCDS(t *testing.T) {
	form, err := os.ReadFile(standards + "/ctdc-htcds/htcds/htcds_xlsform.xml")
	if err != nil {
		t.Fatal(err)
	}
	m := mapping(t, "htcds.yaml")
	for name, f := range m.Fields {
		for _, col := range f.Columns {
			if !bytes.Contains(form, []byte(`ref="/data/`+col+`"`)) {
				t.Errorf("fields.%s: %q is not a question of the HTCDS form", name, col)
			}
		}
		for v := range f.Values {
			if !bytes.Contains(form, []byte("<value>"+v+"</value>")) {
				t.Errorf("fields.%s: %q is not a choice of the HTCDS form", name, v)
			}
		}
	}
	// Every choice of the exploitation and control questions is mapped.
	for _, q := range []string{"vic_Methods_of_Control", "vic_TypeOfExploitation", "prs_Gender"} {
		_, rest, _ := bytes.Cut(form, []byte(`ref="/data/`+q+`"`))
		body, _, _ := bytes.Cut(rest, []byte("</select"))
		for _, part := range bytes.Split(body, []byte("<value>"))[1:] {
			v, _, _ := bytes.Cut(part, []byte("</value>"))
			field := "incident_types"
			if q == "prs_Gender" {
				field = "victim.gender"
			}
			if _, ok := m.Fields[field].Values[string(v)]; !ok {
				t.Errorf("%s choice %q is not mapped", q, v)
			}
		}
	}
	w := newWorld(t, store.SQLite)
	p := prepare(t, "kobo", "testdata/htcds-submission.json", m)
	res, err := w.svc.Import(context.Background(), w.actor, p, ingest.Options{})
	if err != nil || res.Created != 1 || res.Skipped != 1 {
		t.Fatalf("import: %+v, %v; want 1 created, 1 without consent skipped", res, err)
	}
	v := w.report(t, res.Reports[0])
	if !slices.Equal(v.IncidentTypes, []string{"deceptive_recruitment", "passport_confiscation", "forced_criminality"}) || v.ContactedOn != "2025-05-30" {
		t.Errorf("report: %v %q", v.IncidentTypes, v.ContactedOn)
	}
	if len(v.Victims) != 1 || v.Victims[0].Gender != "female" || v.Victims[0].Nationality != "MM" {
		t.Errorf("victims %+v", v.Victims)
	}
}

func TestSuggest(t *testing.T) {
	b, _ := os.ReadFile("testdata/cases.csv")
	tab, err := ingest.ReadCSV(bytes.NewReader(b), "")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := ingest.Suggest("csv", tab)
	out, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ingest.ParseMapping(out)
	if err != nil {
		t.Fatalf("the suggested mapping does not parse: %v\n%s", err, out)
	}
	for field, col := range map[string]string{"narrative": "What happened", "victim.age": "Age", "victim.gender": "Sex", "victim.nationality": "Nationality",
		"victim.still_held": "Still held", "places": "Location", "recruiter_contacts": "Recruiter contact", "date": "Date received", "incident_types": "Type", "victim.name": "Victim name"} {
		if f := back.Fields[field]; f == nil || f.Columns[0] != col {
			t.Errorf("fields.%s = %+v; want %q\n%s", field, f, col, out)
		}
	}
	if !slices.Equal(back.Key, []string{"Case ID"}) {
		t.Errorf("key %v", back.Key)
	}
	if got := back.Fields["incident_types"].Values["Trafficked for scam work"]; got != "forced_criminality" {
		t.Errorf("incident value guess %q\n%s", got, out)
	}
	// Kobo: questions by path, the repeat group's questions, select values.
	kb, _ := os.ReadFile(standards + "/kobo-odk/examples/kobo-v2-data-list.json")
	kt, err := ingest.ReadKobo(bytes.NewReader(kb))
	if err != nil {
		t.Fatal(err)
	}
	km, _ := ingest.Suggest("kobo", kt)
	if f := km.Fields["subject.name"]; f == nil || f.Repeat != "perpetrator" {
		t.Errorf("kobo subject.name %+v", f)
	}
	if f := km.Fields["victim.gender"]; f == nil || f.Columns[0] != "person/gender" || f.Values["Masculine"] != "male" {
		t.Errorf("kobo victim.gender %+v", f)
	}
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := encodePNG(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPublicClientRefusesLocalAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("internal")) }))
	defer srv.Close()
	_, err := ingest.PublicClient(time.Second).Get(srv.URL)
	if err == nil || !strings.Contains(err.Error(), "is not a public address") {
		t.Fatalf("fetching %s: %v; want refused", srv.URL, err)
	}
}

// TestSuggestXLSForm writes a mapping from IOM's HTCDS XLSForm: questions
// by their names, choices listed to map; it parses, and reads a submission.
func TestSuggestXLSForm(t *testing.T) {
	f, err := os.Open(standards + "/ctdc-htcds/htcds/htcds_xlsform.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, notes, err := ingest.SuggestXLSForm(f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ingest.ParseMapping(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if g := back.Fields["victim.gender"]; g == nil || g.Columns[0] != "prs_Gender" || g.Values["Feminine"] != "female" || g.Values["Masculine"] != "male" {
		t.Errorf("victim.gender %+v\n%s", g, out)
	}
	if n := back.Fields["victim.nationality"]; n == nil || n.Columns[0] != "prs_Citizenship" {
		t.Errorf("victim.nationality %+v\n%s", n, out)
	}
	if it := back.Fields["incident_types"]; it == nil || !slices.Contains(it.Columns, "vic_TypeOfExploitation") || it.Values["DebtBondage"] != "extortion_ransom" && it.Values["ForcedLabour"] != "forced_criminality" {
		t.Errorf("incident_types %+v\n%s", it, out)
	}
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "con_Consent") }) {
		t.Errorf("notes %q do not point at the consent question", notes)
	}
}

// TestConcurrentDeliveries posts the same Kobo submission from several
// goroutines at once (a retry racing the first delivery): one report.
func TestConcurrentDeliveries(t *testing.T) {
	engines(t, func(t *testing.T, e store.Engine) {
		w := newWorld(t, e)
		ctx := context.Background()
		mb, _ := os.ReadFile("testdata/kobo.yaml")
		token, err := w.svc.CreateKoboHook(ctx, staff.System, w.org, "race", mb)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := os.ReadFile(standards + "/kobo-odk/examples/kobo-rest-service-post.json")
		errs := make(chan error, 4)
		created := make(chan int, 4)
		for range 4 {
			go func() {
				res, err := w.svc.ReceiveKobo(ctx, token, bytes.NewReader(body))
				if err == nil {
					created <- res.Created
				}
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		close(created)
		total := 0
		for n := range created {
			total += n
		}
		if total != 1 || w.count(t, "reports") != 1 {
			t.Fatalf("%d created, %d reports; want 1", total, w.count(t, "reports"))
		}
	})
}

// TestSuggestXLSFormRepeat maps the synthetic intake form's questions
// (kobo-odk/examples) as its Kobo submissions carry them: a group's by
// path, a repeat's from the repetition; the mapping then reads them.
func TestSuggestXLSFormRepeat(t *testing.T) {
	x := excelize.NewFile()
	x.SetSheetName("Sheet1", "survey")
	for i, row := range [][]string{
		{"type", "name", "label"},
		{"select_one yn", "consent", "Does the person consent?"},
		{"begin_group", "person", "Person"},
		{"select_one gender", "gender", "Gender"},
		{"integer", "age_years", "Age in years"},
		{"end_group", "", ""},
		{"geopoint", "location_of_exploitation", "Where"},
		{"begin_repeat", "perpetrator", "Perpetrators"},
		{"text", "perp_name", "Perpetrator name"},
		{"text", "perp_role", "Role"},
		{"end_repeat", "", ""},
	} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("survey", cell, &row)
	}
	x.NewSheet("choices")
	for i, row := range [][]string{{"list_name", "name", "label"}, {"gender", "Masculine", "Masculine"}, {"gender", "Feminine", "Feminine"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		x.SetSheetRow("choices", cell, &row)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	m, _, err := ingest.SuggestXLSForm(&buf)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := m.Marshal()
	if f := m.Fields["subject.name"]; f == nil || f.Repeat != "perpetrator" || f.Columns[0] != "perp_name" {
		t.Errorf("subject.name %+v\n%s", f, out)
	}
	if f := m.Fields["victim.gender"]; f == nil || f.Columns[0] != "person/gender" || f.Values["Masculine"] != "male" {
		t.Errorf("victim.gender %+v\n%s", f, out)
	}
	if f := m.Fields["geopoint"]; f == nil || f.Columns[0] != "location_of_exploitation" {
		t.Errorf("geopoint %+v\n%s", f, out)
	}
	m.Skip = map[string]ingest.Columns{"consent": {"no"}}
	p := prepare(t, "kobo", standards+"/kobo-odk/examples/kobo-v2-data-list.json", m)
	if len(p.Rows) != 1 || len(p.Rows[0].Sub.Subjects) != 2 || p.Rows[0].Sub.Victims[0].Gender != "male" {
		t.Fatalf("plan: %+v", p.Rows)
	}
}

func TestExcelSerialDate(t *testing.T) {
	data := "Case ID,Date received,What happened,Type,Victim name,Age,Sex,Nationality,Still held,Location,Recruiter contact\nA,45352,x,,,,,,,,\n"
	p, err := ingest.Prepare("csv", "f", strings.NewReader(data), mapping(t, "cases.yaml"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Rows[0].Sub.ContactedOn; got != "2024-03-01" {
		t.Fatalf("serial 45352 read as %q; want 2024-03-01", got)
	}
}
