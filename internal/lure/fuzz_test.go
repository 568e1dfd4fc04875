package lure_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/lure"
)

func FuzzScore(f *testing.F) {
	for _, name := range []string{"compound_ads.csv", "legit_ads_region.csv", "messages.csv"} {
		for i, r := range fixture(f, name) {
			if i%5 == 0 {
				f.Add(r.Text)
			}
		}
	}
	f.Add("月入过万 $1,2 -3万 ~ 到 @ @@ t.me/ wa.me/ +85 年龄1 岁 \xff\xfe ＄")
	f.Add("1.500.000.000.000.000 rp 5,5,5 k 万 tr 0-0-0-0-0-0-0-0 e9999")
	s := newScorer(f)
	f.Fuzz(func(t *testing.T, text string) {
		r, err := s.Score(context.Background(), text, "en")
		if err != nil {
			t.Fatal(err)
		}
		if !(r.Score >= 0 && r.Score <= 1 && r.Probability >= 0 && r.Probability <= 1) {
			t.Fatalf("score %v, probability %v", r.Score, r.Probability)
		}
		switch r.Level {
		case lure.LevelLow, lure.LevelElevated, lure.LevelHigh:
		default:
			t.Fatalf("level %q", r.Level)
		}
		check := func(sp lure.Span) {
			if sp.Start < 0 || sp.End > len(text) || sp.Start > sp.End || text[sp.Start:sp.End] != sp.Text {
				t.Fatalf("bad span %+v of %q", sp, text)
			}
		}
		for _, in := range r.Indicators {
			for _, sp := range in.Evidence {
				check(sp)
			}
		}
		for _, id := range r.Identifiers {
			check(id.Span)
		}
		for _, a := range r.Amounts {
			check(a.Span)
			if a.Min > a.Max || a.Min < 0 {
				t.Fatalf("amount %+v", a)
			}
		}
		if utf8.ValidString(text) && len(r.Reasons) == 0 && len(r.Indicators) > 0 {
			t.Fatalf("indicators without reasons")
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add("id,source,lang,label,text\na,x,en,1,\"multi\nline\"\n")
	f.Add("id,source,lang,label,text\na,x,en,2,x\n")
	f.Add("text,label,id,lang,source\n\"\"\"\",0,a,zh,b\n")
	f.Add("id,source,lang,label,text\na,x,en,1,\"open\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := lure.ReadCSV(strings.NewReader(in))
		if err != nil {
			if !strings.Contains(err.Error(), "lure: csv") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		for _, r := range rows {
			if r.Label != 0 && r.Label != 1 || r.Line < 2 {
				t.Fatalf("row %+v", r)
			}
		}
		// what was read writes and reads back the same
		var b bytes.Buffer
		if err := lure.WriteCSV(&b, rows); err != nil {
			return // e.g. invalid UTF-8 is written as is; not our concern here
		}
		back, err := lure.ReadCSV(&b)
		if err != nil || len(back) != len(rows) {
			t.Fatalf("round trip: %v, %d rows of %d", err, len(back), len(rows))
		}
	})
}

func FuzzReadModel(f *testing.F) {
	cfg := lure.DefaultTrainConfig()
	cfg.Bits = 10
	m, err := lure.Train(smallRows(f), cfg)
	if err != nil {
		f.Fatal(err)
	}
	var b bytes.Buffer
	m.WriteTo(&b)
	f.Add(b.Bytes())
	f.Add([]byte("VLURE\x00\x01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := lure.ReadModel(bytes.NewReader(data))
		if err != nil {
			return
		}
		s, err := lure.New(lure.WithModel(m))
		if err != nil {
			t.Fatal(err)
		}
		s.Score(context.Background(), "Customer service job in Sihanoukville, $1500/month, free flight", "en")
	})
}
