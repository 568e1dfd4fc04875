package lure_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

func TestReadCSV(t *testing.T) {
	good := "id,source,lang,label,text\n" +
		"a,x,en,1,\"line one\nline two\"\n" +
		"b,x,zh,0,招聘\n"
	rows, err := lure.ReadCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Text != "line one\nline two" || rows[0].Label != 1 || rows[1].Line != 4 || rows[1].Lang != "zh" {
		t.Errorf("got %+v", rows)
	}
	// other column orders, extra columns and a byte-order mark are fine
	rows, err = lure.ReadCSV(strings.NewReader("\ufefftext,label,lang,id,source,extra\nhello,0,en,c,y,z\n"))
	if err != nil || len(rows) != 1 || rows[0].ID != "c" || rows[0].Text != "hello" {
		t.Errorf("reordered columns: got %+v, %v", rows, err)
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty file"},
		{"no text column", "id,source,lang,label\na,b,c,1\n", `line 1: no "text" column`},
		{"bad label", "id,source,lang,label,text\na,x,en,1,ok\nb,x,en,yes,bad\n", `line 3: label "yes"`},
		{"label 2", "id,source,lang,label,text\na,x,en,2,bad\n", `line 2: label "2"`},
		{"short row", "id,source,lang,label,text\na,x,en,1,ok\nb,x,en,1\n", "line 3"},
		{"bare quote", "id,source,lang,label,text\na,x,en,1,ok\nb,x,en,1,say \"hi\" now\n", "line 3"},
		{"unclosed quote after multi-line row", "id,source,lang,label,text\na,x,en,1,\"one\ntwo\"\nb,x,en,1,\"open\n", "line 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lure.ReadCSV(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestWriteCSVRoundTrip(t *testing.T) {
	rows := fixture(t, "compound_ads.csv")
	var b bytes.Buffer
	if err := lure.WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	back, err := lure.ReadCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		back[i].Line = rows[i].Line
		if back[i] != rows[i] {
			t.Fatalf("row %d: got %+v, want %+v", i, back[i], rows[i])
		}
	}
}

func TestHoldout(t *testing.T) {
	// The rule is fixed: FNV-1a 32 of the id, mod 5, is 0.
	n := 0
	for i := range 10000 {
		if lure.Holdout(fmt.Sprintf("row-%d", i)) {
			n++
		}
	}
	if n < 1500 || n > 2500 {
		t.Errorf("held out %d of 10000, want about 2000", n)
	}
	// fixed examples: changing the rule changes every held-out number
	for id, want := range map[string]bool{"emscad-1": false, "orfd-4": false, "emscad-16": true, "emscad-21": true} {
		if got := lure.Holdout(id); got != want {
			t.Errorf("Holdout(%q) = %v, want %v", id, got, want)
		}
	}
	rows := []lure.Example{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}, {ID: "e"}, {ID: "f"}}
	tr, te := lure.Select(rows, lure.SplitTrain), lure.Select(rows, lure.SplitTest)
	if len(tr)+len(te) != len(rows) || len(lure.Select(rows, lure.SplitAll)) != len(rows) {
		t.Errorf("train %d + test %d != %d", len(tr), len(te), len(rows))
	}
	if _, err := lure.ParseSplit("dev"); err == nil {
		t.Error("ParseSplit accepted dev")
	}
}

func TestHoldoutPatterns(t *testing.T) {
	// A group named in the group column is held out when FNV-1a 32 mod 3 is 0.
	n := 0
	for i := range 9000 {
		if lure.Holdout(fmt.Sprintf("group:pattern-%d", i)) {
			n++
		}
	}
	if n < 2500 || n > 3500 {
		t.Errorf("held out %d of 9000 patterns, want about 3000", n)
	}
}

func TestGroups(t *testing.T) {
	desc := func(title, d, company string) string {
		s := "Title: " + title + "\nDescription: " + d + "\n"
		if company != "" {
			s += "Company profile: " + company + "\n"
		}
		return s
	}
	long := "Work from home typing payroll data for our clients, paid weekly."
	rows := []lure.Example{
		{ID: "e3", Text: desc("Typist", long, "")},
		{ID: "e1", Text: desc("Data entry clerk", "WORK from home, typing payroll data for our clients - paid weekly!", "")}, // same after folding
		{ID: "e2", Text: desc("Nurse", "Care for patients on the night shift of our ward.", "Riverside Hospital, a 300-bed teaching hospital.")},
		{ID: "e4", Text: desc("Porter", "Move patients and equipment between the wards of the hospital.", "Riverside Hospital, a 300-bed teaching hospital.")}, // same company
		{ID: "e5", Text: desc("Cook", "N/A", "")},   // too short to tie
		{ID: "e6", Text: desc("Driver", "N/A", "")}, // too short to tie
		{ID: "z1", Text: "职位: 普工\n职位描述: 负责流水线组装，白班为主，月休四天，加班按劳动法计算。\n公司介绍: 东莞某电子厂"},
		{ID: "z2", Text: "职位: 质检\n职位描述: 负责流水线组装，白班为主，月休四天，加班按劳动法计算。"},
		{ID: "p1", Group: "typist-abroad", Text: "one"},
		{ID: "p2", Group: "typist-abroad", Text: "two"},
	}
	g := lure.Groups(rows)
	want := []string{"e1", "e1", "e2", "e2", "e5", "e6", "z1", "z1", "group:typist-abroad", "group:typist-abroad"}
	for i := range rows {
		if g[i] != want[i] {
			t.Errorf("%s: group %q, want %q", rows[i].ID, g[i], want[i])
		}
	}
	// a split keeps every group whole
	for _, sp := range []lure.Split{lure.SplitTrain, lure.SplitTest} {
		ids := map[string]bool{}
		for _, r := range lure.Select(rows, sp) {
			ids[r.ID] = true
		}
		for i := range rows {
			for j := range rows {
				if g[i] == g[j] && ids[rows[i].ID] != ids[rows[j].ID] {
					t.Errorf("%s: %s and %s share group %s but not the split", sp, rows[i].ID, rows[j].ID, g[i])
				}
			}
		}
	}
}

func TestGroupsSharedData(t *testing.T) {
	rows := sharedRows(t)
	test := lure.Select(rows, lure.SplitTest)
	train := lure.Select(rows, lure.SplitTrain)
	seen := map[string]bool{}
	for _, g := range lure.Groups(train) {
		seen[g] = true
	}
	for _, g := range lure.Groups(test) {
		if seen[g] {
			t.Errorf("group %s on both sides", g)
		}
	}
	if n := len(test); n < len(rows)/8 || n > len(rows)/3 {
		t.Errorf("%d of %d rows held out, want about a fifth", n, len(rows))
	}
}
