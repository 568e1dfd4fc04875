package gazetteer_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/gazetteer"
)

func TestDefaultHasRequiredPlaces(t *testing.T) {
	g := gazetteer.Default()
	for _, id := range []string{
		"sihanoukville", "phnom-penh", "bavet", "poipet", "myawaddy", "shwe-kokko", "kk-park",
		"golden-triangle-sez", "tachileik", "laukkaing", "mae-sot", "bokor", "kampot", "koh-kong", "otres",
	} {
		p, ok := g.Lookup(id)
		if !ok {
			t.Errorf("Lookup(%q) found nothing", id)
			continue
		}
		if p.ID != id || p.Lat == 0 || p.Lon == 0 || len(p.Aliases) == 0 {
			t.Errorf("Lookup(%q) = %+v, want complete place", id, p)
		}
	}
	if n := len(g.All()); n < 25 {
		t.Errorf("len(All()) = %d, want at least 25", n)
	}
}

func TestLookup(t *testing.T) {
	g := gazetteer.Default()
	tests := []struct{ name, want string }{
		{"Sihanoukville", "sihanoukville"},
		{"sihanoukville", "sihanoukville"},
		{"SIHANOUKVILLE", "sihanoukville"},
		{"西港", "sihanoukville"},
		{"ក្រុងព្រះសីហនុ", "sihanoukville"},
		{"สีหนุวิลล์", "sihanoukville"},
		{"Xihanuke", "sihanoukville"},
		{"Kampong Som", "sihanoukville"},
		{"phnom-penh", "phnom-penh"},
		{"Phnom Penh", "phnom-penh"},
		{"Phnom Pênh", "phnom-penh"},
		{"phnompenh", "phnom-penh"},
		{"金边", "phnom-penh"},
		{"巴域", "bavet"},
		{"巴韦", "bavet"},
		{"波贝", "poipet"},
		{"妙瓦底", "myawaddy"},
		{"水沟谷", "shwe-kokko"},
		{"亚太城", "shwe-kokko"},
		{"shwe kokko", "shwe-kokko"},
		{"KK Park", "kk-park"},
		{"金三角经济特区", "golden-triangle-sez"},
		{"Tachileik", "tachileik"},
		{"果敢", "kokang"},
		{"老街", "laukkaing"},
		{"Mae Sot", "mae-sot"},
		{"mộc bài", "moc-bai"},
		{"Moc Bai", "moc-bai"},
		{"O'Smach", "o-smach"},
		{"osmach", "o-smach"},
		{"Sài Gòn", "ho-chi-minh-city"},
		{"saigon", "ho-chi-minh-city"},
	}
	for _, tt := range tests {
		p, ok := g.Lookup(tt.name)
		if !ok || p.ID != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.name, p.ID, ok, tt.want)
		}
	}
	for _, name := range []string{"", "Paris", "Huione", "西", "Park"} {
		if p, ok := g.Lookup(name); ok {
			t.Errorf("Lookup(%q) = %q, want not found", name, p.ID)
		}
	}
}

func TestLookupDoesNotShareAliases(t *testing.T) {
	g := gazetteer.Default()
	p, _ := g.Lookup("bavet")
	p.Aliases[0] = "changed"
	q, _ := g.Lookup("bavet")
	if q.Aliases[0] == "changed" {
		t.Fatal("Lookup returned a place sharing its aliases with the gazetteer")
	}
}

func TestFind(t *testing.T) {
	g := gazetteer.Default()
	tests := []struct {
		text string
		want []string // "id:mention"
	}{
		{"They took him from Phnom Penh to Sihanoukville by car.", []string{"phnom-penh:Phnom Penh", "sihanoukville:Sihanoukville"}},
		{"我在西港被关了三个月，后来被卖到妙瓦底。", []string{"sihanoukville:西港", "myawaddy:妙瓦底"}},
		{"He is in KK Park near Myawaddy", []string{"kk-park:KK Park", "myawaddy:Myawaddy"}},
		{"he crossed at mae-sot last night", []string{"mae-sot:mae-sot"}},
		{"金三角经济特区的园区", []string{"golden-triangle-sez:金三角经济特区"}},
		{"ខ្ញុំនៅក្រុងព្រះសីហនុ", []string{"sihanoukville:ក្រុងព្រះសីហនុ"}},
		{"ถูกพาไปที่สีหนุวิลล์", []string{"sihanoukville:สีหนุวิลล์"}},
		{"a Golden Triangle SEZ casino", []string{"golden-triangle-sez:Golden Triangle SEZ"}},
		{"Bokor Mountain and Kampot", []string{"bokor:Bokor Mountain", "kampot:Kampot"}},
		{"Bavetville and Kampotx are not places", nil},
		{"xBavet", nil},
		{"online", nil},
		{"KK公司", nil},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range g.Find(tt.text) {
			if m.Start < 0 || m.End > len(tt.text) || m.Start >= m.End {
				t.Fatalf("Find(%q): bad span %d:%d", tt.text, m.Start, m.End)
			}
			got = append(got, m.ID+":"+tt.text[m.Start:m.End])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Find(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestNewRejectsBadPlaces(t *testing.T) {
	ok := gazetteer.Place{ID: "a", Name: "A", Country: "KH", Kind: gazetteer.KindCity, Lat: 1, Lon: 1}
	bad := []gazetteer.Place{
		{Name: "A", Country: "KH", Kind: gazetteer.KindCity},
		{ID: "a", Name: "A", Country: "KH", Kind: "planet"},
		{ID: "a", Name: "A", Country: "KH", Kind: gazetteer.KindCity, Lat: 91},
		{ID: "a", Name: "A", Country: "KHM", Kind: gazetteer.KindCity},
		{ID: "b", Name: "B", Country: "KH", Kind: gazetteer.KindCity, Aliases: []string{"a"}},
	}
	for i, p := range bad {
		places := []gazetteer.Place{p}
		if i == len(bad)-1 {
			places = []gazetteer.Place{ok, p}
		}
		if _, err := gazetteer.New(places); err == nil {
			t.Errorf("New(%+v) succeeded, want error", places)
		}
	}
	if _, err := gazetteer.Parse([]byte("{")); err == nil {
		t.Error("Parse of broken JSON succeeded")
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{"Phnom Penh", "西港妙瓦底", "Shwe - Kokko", "KK Park", "\xe5\xb1", "Mae Sot-"} {
		f.Add(s)
	}
	g := gazetteer.Default()
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, m := range g.Find(text) {
			if m.Start < prev || m.End <= m.Start || m.End > len(text) {
				t.Fatalf("Find(%q): bad span %d:%d after %d", text, m.Start, m.End, prev)
			}
			if utf8.ValidString(text) && !utf8.ValidString(text[m.Start:m.End]) {
				t.Fatalf("Find(%q): span %d:%d splits a rune", text, m.Start, m.End)
			}
			prev = m.End
		}
		g.Lookup(text)
	})
}

// TestNotIn: a Chinese name found inside a word that only holds it ("国公"
// in "中国公司", a Chinese company) is no mention of the place; the same name
// standing for the place still is.
func TestNotIn(t *testing.T) {
	g := gazetteer.Default()
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"泰国公司招中文客服", nil},
		{"在中國公司工作，住國公寓", nil},
		{"他被卖到国公省的园区", []string{"koh-kong"}},
		{"国公", []string{"koh-kong"}},
	} {
		if got := foundIDs(g, tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Find(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestShortNames: a gazetteer holding a name too short for Find's filters
// (one Chinese character, one Latin letter) still finds every name, in any
// script. The filters were built for the default list, whose names are all
// long enough; with a short one every non-Latin name went unfound.
func TestShortNames(t *testing.T) {
	g, err := gazetteer.New([]gazetteer.Place{
		{ID: "sihanoukville", Name: "Sihanoukville", Country: "KH", Kind: gazetteer.KindCity, Lat: 10.6, Lon: 103.5, Aliases: []string{"西港", "ក្រុងព្រះសីហនុ"}},
		{ID: "short", Name: "Q", Country: "MM", Kind: gazetteer.KindCity, Lat: 16, Lon: 98, Aliases: []string{"缅"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"他在西港的园区", []string{"sihanoukville"}},
		{"នៅក្រុងព្រះសីហនុ", []string{"sihanoukville"}},
		{"moved to Sihanoukville", []string{"sihanoukville"}},
		{"去缅那边", []string{"short"}},
	} {
		if got := foundIDs(g, tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("Find(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// foundIDs returns the ids of the places g finds in text, in order.
func foundIDs(g *gazetteer.Gazetteer, text string) []string {
	var ids []string
	for _, m := range g.Find(text) {
		ids = append(ids, m.ID)
	}
	return ids
}
