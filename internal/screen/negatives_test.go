package screen_test

import (
	"bufio"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/screen"
)

// The negative set: names that are on no list, built from the names in the
// demo data (reporters, victims, places' companies) and from common given
// names and surnames of the region and beyond, combined deterministically.
// Combinations whose tokens equal a listed name's are left out: they are
// true hits, not false ones.

var negativeParts = []struct {
	region        string
	given, family []string
	familyFirst   bool
}{
	{"Chinese (pinyin)", []string{"Wei", "Fang", "Na", "Min", "Jing", "Qiang", "Jun", "Yong", "Yan", "Jie", "Tao", "Ming", "Xiuying", "Guiying", "Hua", "Ping", "Xiaoming", "Jianguo", "Haiyan", "Lihua"},
		[]string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Wu", "Xu", "Sun", "Guo", "He", "Lin", "Luo", "Gao"}, true},
	{"Chinese (characters)", []string{"伟", "芳", "娜", "敏", "静", "强", "军", "勇", "艳", "杰", "涛", "明", "秀英", "桂英", "华", "平", "晓明", "建国", "海燕", "丽华"},
		[]string{"王", "李", "张", "刘", "陈", "杨", "黄", "吴", "徐", "孙", "郭", "何", "林", "罗", "高"}, true},
	{"Khmer (script)", []string{"សុខា", "ដារា", "វិចិត្រ", "សុភា", "ចាន់ធា", "សុភ័ក្រ", "បុប្ផា", "រតនា", "សម្បត្តិ", "វណ្ណា", "ស្រីពៅ", "ពិសិដ្ឋ"},
		[]string{"សុខ", "ចាន់", "ហេង", "លី", "កែវ", "ម៉ៅ", "ស៊ុន", "ឈឹម", "ពៅ", "យឹម", "សេង", "អ៊ុក"}, true},
	{"Khmer (romanised)", []string{"Sokha", "Dara", "Vichet", "Sophea", "Chantha", "Sopheak", "Bopha", "Rathana", "Sambath", "Vanna", "Sreypov", "Piseth"},
		[]string{"Sok", "Chan", "Heng", "Ly", "Keo", "Mao", "Sun", "Chhim", "Pov", "Yim", "Seng", "Ouk"}, true},
	{"Thai (script)", []string{"สมชาย", "สมศรี", "มาลี", "สุดา", "ประเสริฐ", "วิชัย", "อนุชา", "กมล", "จันทร์เพ็ญ", "ธนพล", "ศิริพร", "อรทัย"},
		[]string{"ใจดี", "ศรีสุข", "บุญมา", "แสงทอง", "สุขสวัสดิ์", "ทองดี", "มีสุข", "วงศ์ใหญ่", "พึ่งบุญ", "ชัยมงคล"}, false},
	{"Thai (RTGS)", []string{"Somchai", "Somsri", "Malee", "Suda", "Prasert", "Wichai", "Anucha", "Kamon", "Chanphen", "Thanaphon", "Siriporn", "Orathai"},
		[]string{"Jaidee", "Srisuk", "Boonma", "Saengthong", "Suksawat", "Thongdee", "Meesuk", "Wongyai", "Phueangboon", "Chaimongkhon"}, false},
	{"Vietnamese", []string{"Văn An", "Thị Hoa", "Văn Nam", "Văn Minh", "Thị Lan", "Đức Anh", "Thị Mai", "Quốc Huy", "Thị Thu", "Minh Tuấn", "Hoàng Long", "Thanh Hương"},
		[]string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"}, true},
	{"Indonesian", []string{"Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Sri", "Eko", "Wahyu", "Putri", "Joko", "Fitri"},
		[]string{"Santoso", "Rahayu", "Pratama", "Lestari", "Wijaya", "Saputra", "Hidayat", "Setiawan", "Kusuma", "Nugroho"}, false},
	{"Filipino", []string{"Maria", "Jose", "Juan", "Mark", "Angelica", "Christian", "Jasmine", "Joshua", "Princess", "Jerome"},
		[]string{"Dela Cruz", "Garcia", "Reyes", "Ramos", "Mendoza", "Santos", "Flores", "Gonzales", "Bautista", "Villanueva"}, false},
	{"English", []string{"John", "Mary", "James", "Sarah", "David", "Emma", "Michael", "Laura", "Peter", "Helen", "Thomas", "Anna"},
		[]string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans", "Walker"}, false},
	{"Spanish", []string{"Carlos", "Lucia", "Javier", "Carmen", "Miguel", "Elena", "Pablo", "Isabel", "Diego", "Marta"},
		[]string{"Fernandez Ruiz", "Navarro Gil", "Ortega Molina", "Castro Blanco", "Herrera Vidal", "Iglesias Soto", "Prieto Marin", "Rubio Calvo"}, false},
	{"Arabic", []string{"Omar", "Khaled", "Youssef", "Fatima", "Layla", "Samir", "Nadia", "Tariq", "Rania", "Karim"},
		[]string{"Haddad", "Khoury", "Mansour", "Nasser", "Aziz", "Farouk", "Saleh", "Hamdan", "Barakat", "Jaber"}, false},
	{"Russian", []string{"Ivan", "Olga", "Sergei", "Natalia", "Dmitri", "Irina", "Andrei", "Tatiana", "Pavel", "Elena"},
		[]string{"Petrov", "Smirnova", "Kuznetsov", "Popova", "Sokolov", "Lebedeva", "Kozlov", "Novikova", "Morozov", "Volkova"}, false},
	{"Company", []string{"Golden Bay", "Mekong Star", "Lucky Dragon", "Sunrise", "Blue Ocean", "Silver Lotus", "Royal Palm", "Jade River", "Happy Harvest", "Asia Bright"},
		[]string{"Recruitment Co., Ltd.", "Manpower Agency", "Trading Company", "Travel Service", "Logistics Ltd.", "Entertainment Group", "Construction Co.", "Property Development"}, false},
}

// demoNames are names from the demo data that are on no list.
var demoNames = []string{
	"Siti Rahayu", "Budi Santoso", "Golden Bay Recruitment", "李明", "金湾园区", "សុខ ចាន់ធា", "ចាន់ វិចិត្រ",
	"สมศรี ใจดี", "มาลี ใจดี", "Nguyễn Thị Hoa", "Nguyễn Văn Nam", "Trần Văn Minh", "ហេង សុភ័ក្រ", "Dewi Lestari",
	"Agus Pratama", "Mekong Anti-Trafficking Hotline", "Safe Return Alliance", "Border Desk Newsroom",
}

// negativeSet returns region → names, leaving out names whose normalised
// tokens equal those of a name in es.
func negativeSet(es []screen.Entry) map[string][]string {
	listed := map[string]bool{}
	key := func(s string) string {
		f := strings.Fields(screen.Normalize(s))
		sort.Strings(f)
		return strings.Join(f, " ")
	}
	for _, e := range es {
		listed[key(e.Name)] = true
		for _, a := range e.Aliases {
			listed[key(a.Name)] = true
		}
	}
	out := map[string][]string{}
	for _, n := range demoNames {
		if !listed[key(n)] {
			out["demo data"] = append(out["demo data"], n)
		}
	}
	for _, p := range negativeParts {
		for _, g := range p.given {
			for _, f := range p.family {
				n := g + " " + f
				switch {
				case p.region == "Chinese (characters)":
					n = f + g
				case p.familyFirst:
					n = f + " " + g
				}
				if !listed[key(n)] {
					out[p.region] = append(out[p.region], n)
				}
			}
		}
	}
	return out
}

// TestNegatives counts names that are on no list but reach the review
// threshold against the SDN snapshot (primary names and aliases) and the
// demo list.
func TestNegatives(t *testing.T) {
	es := loadSDN(t)
	demo, err := screen.DemoEntries()
	if err != nil {
		t.Fatal(err)
	}
	ixs := []*screen.Index{screen.Build("sdn", es, screen.BuildOptions{}), screen.Build("demo-sdn", demo, screen.BuildOptions{})}
	neg := negativeSet(append(slices.Clone(es), demo...))
	regions := make([]string, 0, len(neg))
	for r := range neg {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	total, hits := 0, 0
	for _, r := range regions {
		h := 0
		for _, n := range neg[r] {
			for _, ix := range ixs {
				if ms := ix.Search(screen.Query{Name: n}, 1, screen.ReviewThreshold); len(ms) > 0 {
					h++
					if testing.Verbose() {
						t.Logf("  false hit: %q → %s %s (%.3f) %s", n, ms[0].ID, ms[0].Name, ms[0].Score, ms[0].Why)
					}
					break
				}
			}
		}
		t.Logf("%-22s %4d names, %3d above %.2f (%.1f %%)", r, len(neg[r]), h, screen.ReviewThreshold, 100*float64(h)/float64(len(neg[r])))
		total += len(neg[r])
		hits += h
	}
	rate := float64(hits) / float64(total)
	t.Logf("negative set: %d names, %d false hits above the review threshold (%.2f %%)", total, hits, 100*rate)
	if total < 1000 {
		t.Errorf("negative set has %d names, want at least 1000", total)
	}
	if rate > 0.01 {
		t.Errorf("false-hit rate %.2f %%, want at most 1 %%", 100*rate)
	}
}

// crossScript is one line of testdata/cross-script.tsv.
type crossScript struct{ list, id, script, query, note string }

func readCrossScript(t testing.TB) []crossScript {
	t.Helper()
	f, err := os.Open("testdata/cross-script.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []crossScript
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		p := strings.Split(sc.Text(), "\t")
		if len(p) < 4 {
			t.Fatalf("cross-script.tsv: bad line %q", sc.Text())
		}
		c := crossScript{list: p[0], id: p[1], script: p[2], query: p[3]}
		if len(p) > 4 {
			c.note = p[4]
		}
		out = append(out, c)
	}
	return out
}

// TestCrossScript screens Chinese-character, Khmer and Thai spellings of
// listed names (primary names and aliases indexed) and asserts the share
// found first and in the top 5, per script.
func TestCrossScript(t *testing.T) {
	es := loadSDN(t)
	demo, err := screen.DemoEntries()
	if err != nil {
		t.Fatal(err)
	}
	ixs := map[string]*screen.Index{"sdn": screen.Build("sdn", es, screen.BuildOptions{}), "demo": screen.Build("demo-sdn", demo, screen.BuildOptions{})}
	stats := map[string]*rankStats{}
	var all rankStats
	above := 0
	for _, c := range readCrossScript(t) {
		ms := ixs[c.list].Search(screen.Query{Name: c.query}, 5, 0)
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		if stats[c.script] == nil {
			stats[c.script] = &rankStats{}
		}
		stats[c.script].add(c.id, ids)
		all.add(c.id, ids)
		if len(ids) == 0 || ids[0] != c.id {
			got := "nothing"
			if len(ms) > 0 {
				got = ms[0].Name + " — " + ms[0].Why
			}
			t.Logf("  %s %q (%s): want %s first, got %s", c.script, c.query, c.note, c.id, got)
		} else if ms[0].Score < screen.ReviewThreshold {
			t.Logf("  %s %q (%s): first but below the review threshold (%.3f)", c.script, c.query, c.note, ms[0].Score)
		} else {
			above++
		}
	}
	for _, s := range []string{"Chinese", "Khmer", "Thai"} {
		r1, r5 := stats[s].rates()
		t.Logf("%-8s %2d queries: rank-1 %.2f, top-5 %.2f", s, stats[s].n, r1, r5)
	}
	r1, r5 := all.rates()
	t.Logf("all      %2d queries: rank-1 %.2f, top-5 %.2f; first and at or above the review threshold: %d", all.n, r1, r5, above)
	if r1 < 0.85 || r5 < 0.9 {
		t.Errorf("cross-script rank-1 %.2f, top-5 %.2f: want at least 0.85 and 0.90", r1, r5)
	}
}
