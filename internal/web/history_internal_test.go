package web

import "testing"

// TestReadableDetail: a case history's details read as words — labels for
// keys and coded values, names for IDs, old → new — never as JSON.
func TestReadableDetail(t *testing.T) {
	ls, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	en, km := ls["en"], ls["km"]
	id := "01a24764-eaad-7d54-abea-10ce58920bce"
	names := map[string]string{"01a24764-0000-7000-8000-000000000001": "Dara"}
	for _, tt := range []struct {
		l         *Locale
		raw, want string
	}{
		{en, `{"status":["triaged","in_progress"],"title":true}`, "Status: Triaged → In progress; Title changed"},
		{en, `{"assignee":["","01a24764-0000-7000-8000-000000000001"]}`, "Assigned to: — → Dara"},
		{en, `{"reports":["` + id + `"]}`, "Reports: 58920bce"},
		{en, `{"was":"received","status":"dismissed","reason":"spam"}`, "Reason: Spam; Status: dismissed; Was: received"},
		{en, `{"referral":"` + id + `","shared":false}`, "Referral: 58920bce; Shared: No"},
		{km, `{"urgency":["normal","high"]}`, "ភាពបន្ទាន់: " + km.T("urgency.normal") + " → " + km.T("urgency.high")},
		{en, `not json`, "not json"},
		{en, ``, ""},
	} {
		if got := readableDetail(tt.l, []byte(tt.raw), names); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.raw, got, tt.want)
		}
	}
}
