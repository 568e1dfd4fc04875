package extract_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/extract"
)

var (
	reportPath    = flag.String("report", "", "write the corpus precision/recall table as markdown to this `file`")
	corpusVerbose = flag.Bool("corpus.verbose", false, "log every false positive and false negative of the corpus test")
)

// corpusEntry is one labelled snippet of testdata/corpus.jsonl.
type corpusEntry struct {
	ID     string `json:"id"`
	Lang   string `json:"lang"`
	Region string `json:"region"`
	Text   string `json:"text"`
	Want   []struct {
		Kind  extract.Kind `json:"kind"`
		Value string       `json:"value"`
		Role  extract.Role `json:"role"`
	} `json:"want"`
}

func loadCorpus(t testing.TB, path string) []corpusEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e corpusEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("corpus line %d: %v", len(out)+1, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// counts are the outcomes for one kind (or group of kinds) over the corpus.
type counts struct {
	tp, fp, fn        int
	roleOK, roleTotal int
	precision, recall float64
}

func (c *counts) finish() {
	c.precision, c.recall = 1, 1
	if c.tp+c.fp > 0 {
		c.precision = float64(c.tp) / float64(c.tp+c.fp)
	}
	if c.tp+c.fn > 0 {
		c.recall = float64(c.tp) / float64(c.tp+c.fn)
	}
}

// corpusGroups are the groups of kinds with a quality target, and the kinds
// in each.
var corpusGroups = []struct {
	name  string
	kinds []extract.Kind
}{
	{"phones", []extract.Kind{extract.KindPhone}},
	{"handles", []extract.Kind{extract.KindTelegram, extract.KindWhatsApp, extract.KindLine, extract.KindWeChat}},
	{"wallets", []extract.Kind{extract.KindBTC, extract.KindETH, extract.KindTRON}},
	{"urls/domains", []extract.Kind{extract.KindURL, extract.KindDomain}},
	{"e-mails", []extract.Kind{extract.KindEmail}},
}

// TestCorpusIsValid checks the corpus itself: enough snippets in every
// language, and every annotated value in normalised form (a typo in the
// corpus must not pass for a miss of the extractor).
func TestCorpusIsValid(t *testing.T) {
	corpus := loadCorpus(t, devCorpus)
	if len(corpus) < 300 {
		t.Errorf("corpus has %d snippets, want at least 300", len(corpus))
	}
	perLang := map[string]int{}
	negatives := 0
	for _, e := range corpus {
		perLang[e.Lang]++
		if len(e.Want) == 0 {
			negatives++
		}
		checkAnnotations(t, e)
	}
	for _, e := range loadCorpus(t, holdoutCorpus) {
		checkAnnotations(t, e)
	}
	for _, lang := range []string{"en", "zh", "km", "th", "vi", "id"} {
		if perLang[lang] < 45 {
			t.Errorf("corpus has %d %s snippets, want at least 45", perLang[lang], lang)
		}
	}
	if negatives < 50 {
		t.Errorf("corpus has %d snippets without identifiers, want at least 50 hard negatives", negatives)
	}
}

// checkAnnotations checks that every annotated value is valid and
// normalised.
func checkAnnotations(t *testing.T, e corpusEntry) {
	t.Helper()
	for _, w := range e.Want {
		{
			if !slices.Contains(extract.Kinds(), w.Kind) {
				t.Errorf("%s: unknown kind %q", e.ID, w.Kind)
			}
			switch w.Kind {
			case extract.KindPhone, extract.KindBTC, extract.KindETH, extract.KindTRON, extract.KindIBAN, extract.KindPlace:
				h, ok := extract.Normalize(w.Kind, w.Value, "")
				if !ok || h.Value != w.Value {
					t.Errorf("%s: annotated %s %q is not valid and normalised (got %q, %v)", e.ID, w.Kind, w.Value, h.Value, ok)
				}
			}
		}
	}
}

// The corpora. The development corpus was written first and then used to
// fix the extractor; the held-out one was written after the extractor was
// frozen and is only measured, so that the numbers are not flattered by
// tuning.
const (
	devCorpus     = "testdata/corpus.jsonl"
	holdoutCorpus = "testdata/holdout.jsonl"
)

// TestCorpus measures precision and recall per kind over the labelled
// corpora and holds the extractor to its targets on both.
func TestCorpus(t *testing.T) {
	var report strings.Builder
	for _, c := range []struct{ name, path string }{{"development", devCorpus}, {"held-out", holdoutCorpus}} {
		table, groups := evaluate(t, loadCorpus(t, c.path), false)
		fmt.Fprintf(&report, "### %s corpus (%s)\n\n%s\n", c.name, c.path, table)
		t.Logf("%s corpus:\n%s", c.name, table)
		for _, g := range corpusGroups {
			gc := groups[g.name]
			if gc.tp == 0 {
				t.Errorf("%s corpus, %s: no true positives: the corpus lacks them", c.name, g.name)
			}
			if gc.precision < 0.98 || gc.recall < 0.95 {
				t.Errorf("%s corpus, %s: precision %.3f, recall %.3f; want at least 0.98 and 0.95", c.name, g.name, gc.precision, gc.recall)
			}
		}
	}
	if *reportPath != "" {
		if err := os.WriteFile(*reportPath, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// evaluate runs Text over a corpus and returns the markdown table of the
// outcomes per kind and per target group.
func evaluate(t *testing.T, corpus []corpusEntry, noPlaces bool) (string, map[string]*counts) {
	t.Helper()
	perKind := map[extract.Kind]*counts{}
	get := func(k extract.Kind) *counts {
		if perKind[k] == nil {
			perKind[k] = &counts{}
		}
		return perKind[k]
	}
	for _, e := range corpus {
		type key struct {
			kind  extract.Kind
			value string
		}
		want := map[key]extract.Role{}
		for _, w := range e.Want {
			want[key{w.Kind, w.Value}] = w.Role
		}
		got := map[key]extract.Role{}
		for _, h := range extract.Text(e.Text, extract.Options{Region: e.Region, NoPlaces: noPlaces}) {
			k := key{h.Kind, h.Value}
			if _, seen := got[k]; !seen {
				got[k] = h.Role
			}
		}
		for k, role := range got {
			c := get(k.kind)
			wantRole, ok := want[k]
			if !ok {
				c.fp++
				if *corpusVerbose {
					t.Logf("%s: false positive %s %q", e.ID, k.kind, k.value)
				}
				continue
			}
			c.tp++
			if wantRole != extract.RoleNone {
				c.roleTotal++
				if role == wantRole {
					c.roleOK++
				} else if *corpusVerbose {
					t.Logf("%s: %s %q role %q, want %q", e.ID, k.kind, k.value, role, wantRole)
				}
			}
		}
		for k := range want {
			if _, ok := got[k]; !ok {
				get(k.kind).fn++
				if *corpusVerbose {
					t.Logf("%s: missed %s %q", e.ID, k.kind, k.value)
				}
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%d snippets. Roles: share of matched identifiers with an annotated role that got it.\n\n", len(corpus))
	b.WriteString("| kind | TP | FP | FN | precision | recall | role accuracy |\n|---|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, c *counts) {
		c.finish()
		role := "–"
		if c.roleTotal > 0 {
			role = fmt.Sprintf("%.2f (%d/%d)", float64(c.roleOK)/float64(c.roleTotal), c.roleOK, c.roleTotal)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.3f | %.3f | %s |\n", name, c.tp, c.fp, c.fn, c.precision, c.recall, role)
	}
	total := &counts{}
	for _, k := range extract.Kinds() {
		c, ok := perKind[k]
		if !ok {
			continue
		}
		row(string(k), c)
		total.tp, total.fp, total.fn = total.tp+c.tp, total.fp+c.fp, total.fn+c.fn
		total.roleOK, total.roleTotal = total.roleOK+c.roleOK, total.roleTotal+c.roleTotal
	}
	row("**all kinds**", total)
	groups := map[string]*counts{"all": total}
	b.WriteString("\n| target group | TP | FP | FN | precision | recall | role accuracy |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, g := range corpusGroups {
		gc := &counts{}
		for _, k := range g.kinds {
			if c, ok := perKind[k]; ok {
				gc.tp, gc.fp, gc.fn = gc.tp+c.tp, gc.fp+c.fp, gc.fn+c.fn
				gc.roleOK, gc.roleTotal = gc.roleOK+c.roleOK, gc.roleTotal+c.roleTotal
			}
		}
		row(g.name, gc)
		groups[g.name] = gc
	}
	return b.String(), groups
}

// The obfuscated-identifier corpora: spelled-out, Chinese, keycap and
// spaced digits, "t dot me", look-alike letters, written-out addresses,
// and clean text that looks like them. Each blind corpus was written by
// someone who had not seen the extractor's code or the other corpora,
// measured once on frozen code (the figures in docs/benchmarks.md), and
// only then used to improve the extractor; so now all are development
// corpora, and the blind figures are the ones that count.
const (
	obfuscatedCorpus        = "testdata/obfuscated.jsonl"
	obfuscatedHoldoutCorpus = "testdata/obfuscated_holdout.jsonl"
	obfuscatedBlindCorpus   = "testdata/obfuscated_holdout2.jsonl"
	obfuscatedBlind3Corpus  = "testdata/obfuscated_holdout3.jsonl"
	obfuscatedBlind4Corpus  = "testdata/obfuscated_holdout4.jsonl"
	obfuscatedBlind5Corpus  = "testdata/obfuscated_holdout5.jsonl"
	obfuscatedBlind6Corpus  = "testdata/obfuscated_holdout6.jsonl"
	obfuscatedBlind7Corpus  = "testdata/obfuscated_holdout7.jsonl"
	obfuscatedBlind8Corpus  = "testdata/obfuscated_holdout8.jsonl"
	obfuscatedBlind9Corpus  = "testdata/obfuscated_holdout9.jsonl"
	obfuscatedBlind10Corpus = "testdata/obfuscated_holdout10.jsonl"
	obfuscatedBlind11Corpus = "testdata/obfuscated_holdout11.jsonl"
	obfuscatedBlind12Corpus = "testdata/obfuscated_holdout12.jsonl"
	obfuscatedBlind13Corpus = "testdata/obfuscated_holdout13.jsonl"
	obfuscatedBlind14Corpus = "testdata/obfuscated_holdout14.jsonl"
	obfuscatedBlind15Corpus = "testdata/obfuscated_holdout15.jsonl"
	obfuscatedBlind16Corpus = "testdata/obfuscated_holdout16.jsonl"
	obfuscatedBlind17Corpus = "testdata/obfuscated_holdout17.jsonl"
	obfuscatedBlind18Corpus = "testdata/obfuscated_holdout18.jsonl"
	obfuscatedBlind19Corpus = "testdata/obfuscated_holdout19.jsonl"
	obfuscatedBlind20Corpus = "testdata/obfuscated_holdout20.jsonl"
	obfuscatedBlind21Corpus = "testdata/obfuscated_holdout21.jsonl"
	obfuscatedBlind22Corpus = "testdata/obfuscated_holdout22.jsonl"
	obfuscatedBlind23Corpus = "testdata/obfuscated_holdout23.jsonl"
	obfuscatedBlind24Corpus = "testdata/obfuscated_holdout24.jsonl"
	obfuscatedBlind25Corpus = "testdata/obfuscated_holdout25.jsonl"
	obfuscatedBlind26Corpus = "testdata/obfuscated_holdout26.jsonl"
)

// TestObfuscatedCorpus measures precision and recall over all kinds on the
// obfuscated corpora and holds each to the targets (0.98 and 0.95), except
// blind corpora 4 and 6 to 20, to their figures after the fixes they led
// to (0.98 and 0.93; 0.98 and 0.94; 0.93 and 0.85; 0.95 and 0.78; 0.94 and
// 0.79; 0.98 and 0.97; 0.99 and 0.99; 0.96 and 0.92; 0.91 and 0.75; 0.99
// and 0.96 — corpus 14 measured 0.761 and 0.558 at first sight; 0.99 and
// 0.95 — corpus 15 measured 0.917 and 0.840 at first sight; 0.99 and 0.98
// — corpus 16 measured 0.936 and 0.896 at first sight; 0.99 and 0.96 —
// corpus 17 measured 0.948 and 0.889 at first sight; 0.99 and 0.97 —
// corpus 18 measured 0.978 and 0.924 at first sight; 0.99 and 0.98 —
// corpus 19 measured 0.981 and 0.938 at first sight; 0.99 and 0.97 —
// corpus 20 measured 0.993 and 0.930 at first sight), and blind corpus 21
// to its first measurement (0.992 and 0.936), as regression floors; blind
// corpora 22 to 26 are held to 0.99 and 0.99 after their fixes (corpus 26
// measured 0.992 and 0.955 at first sight).
// unannotatedPlaces are the corpora whose writers were asked to leave place
// names out of the annotation: places are not scored on them.
var unannotatedPlaces = map[string]bool{obfuscatedBlind22Corpus: true, obfuscatedBlind23Corpus: true, obfuscatedBlind24Corpus: true, obfuscatedBlind25Corpus: true, obfuscatedBlind26Corpus: true}

func TestObfuscatedCorpus(t *testing.T) {
	var report strings.Builder
	for _, c := range []struct {
		name, path              string
		minPrecision, minRecall float64
	}{
		{"obfuscated development", obfuscatedCorpus, 0.98, 0.95},
		{"obfuscated held-out 1", obfuscatedHoldoutCorpus, 0.98, 0.95},
		{"obfuscated blind 2", obfuscatedBlindCorpus, 0.98, 0.95},
		{"obfuscated blind 3", obfuscatedBlind3Corpus, 0.98, 0.95},
		{"obfuscated blind 4", obfuscatedBlind4Corpus, 0.98, 0.93},
		{"obfuscated blind 5", obfuscatedBlind5Corpus, 0.98, 0.95},
		{"obfuscated blind 6", obfuscatedBlind6Corpus, 0.98, 0.94},
		{"obfuscated blind 7", obfuscatedBlind7Corpus, 0.93, 0.85},
		{"obfuscated blind 8", obfuscatedBlind8Corpus, 0.95, 0.78},
		{"obfuscated blind 9", obfuscatedBlind9Corpus, 0.94, 0.79},
		{"obfuscated blind 10", obfuscatedBlind10Corpus, 0.98, 0.97},
		{"obfuscated blind 11", obfuscatedBlind11Corpus, 0.99, 0.99},
		{"obfuscated blind 12", obfuscatedBlind12Corpus, 0.96, 0.92},
		{"obfuscated blind 13", obfuscatedBlind13Corpus, 0.91, 0.75},
		{"obfuscated blind 14", obfuscatedBlind14Corpus, 0.99, 0.96},
		{"obfuscated blind 15", obfuscatedBlind15Corpus, 0.99, 0.95},
		{"obfuscated blind 16", obfuscatedBlind16Corpus, 0.99, 0.98},
		{"obfuscated blind 17", obfuscatedBlind17Corpus, 0.99, 0.96},
		{"obfuscated blind 18", obfuscatedBlind18Corpus, 0.99, 0.97},
		{"obfuscated blind 19", obfuscatedBlind19Corpus, 0.99, 0.98},
		{"obfuscated blind 20", obfuscatedBlind20Corpus, 0.99, 0.97},
		{"obfuscated blind 21", obfuscatedBlind21Corpus, 0.99, 0.98},
		{"obfuscated blind 22", obfuscatedBlind22Corpus, 0.99, 0.99},
		{"obfuscated blind 23", obfuscatedBlind23Corpus, 0.99, 0.99},
		{"obfuscated blind 24", obfuscatedBlind24Corpus, 0.99, 0.99},
		{"obfuscated blind 25", obfuscatedBlind25Corpus, 0.99, 0.99},
		{"obfuscated blind 26", obfuscatedBlind26Corpus, 0.99, 0.99},
	} {
		if _, err := os.Stat(c.path); err != nil {
			t.Logf("%s: %v", c.path, err)
			continue
		}
		corpus := loadCorpus(t, c.path)
		for _, e := range corpus {
			checkAnnotations(t, e)
		}
		table, groups := evaluate(t, corpus, unannotatedPlaces[c.path])
		fmt.Fprintf(&report, "### %s corpus (%s)\n\n%s\n", c.name, c.path, table)
		t.Logf("%s corpus:\n%s", c.name, table)
		if all := groups["all"]; all.precision < c.minPrecision || all.recall < c.minRecall {
			t.Errorf("%s corpus: precision %.3f, recall %.3f; want at least %.2f and %.2f", c.name, all.precision, all.recall, c.minPrecision, c.minRecall)
		}
	}
	if *reportPath != "" {
		if err := os.WriteFile(*reportPath, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
