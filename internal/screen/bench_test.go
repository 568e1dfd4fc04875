package screen_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// sdnQueries is the query mix of BenchmarkScreenSDN: every alias of
// alt.csv whose entry is listed, and the negative set (names on no list),
// in a fixed shuffled order.
func sdnQueries(b *testing.B, es []screen.Entry) []string {
	var names []string
	for _, q := range aliasQueries(b, es) {
		names = append(names, q.name)
	}
	for _, ns := range negativeSet(es) {
		names = append(names, ns...)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	return names
}

// BenchmarkScreenSDN screens names against the SDN snapshot, primary
// names and aliases indexed, returning up to 10 matches from 0.6 — what
// `vigil screen` and the API do. Run with -cpu 1 for the one-core figure.
func BenchmarkScreenSDN(b *testing.B) {
	es := loadSDN(b)
	names := sdnQueries(b, es)
	ix := screen.Build("sdn", es, screen.BuildOptions{})
	benchSearch(b, ix, names)
}

// benchSearch screens qs in turn against ix, up to 10 matches from
// DefaultMinScore, and reports the rates.
func benchSearch(b *testing.B, ix *screen.Index, qs []string) {
	b.ResetTimer()
	cpu := cpuTime()
	i := 0
	for b.Loop() {
		ix.Search(screen.Query{Name: qs[i%len(qs)]}, 10, screen.DefaultMinScore)
		i++
	}
	reportRate(b, cpuTime()-cpu)
}

// reportRate reports names screened per second of wall time and per second
// of the process's CPU time (which a busy machine does not distort; with
// -cpu 1 it includes the garbage collector's work).
func reportRate(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "names/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "names/cpu-s")
	}
}

// BenchmarkScreenSDNParallel is BenchmarkScreenSDN on every core.
func BenchmarkScreenSDNParallel(b *testing.B) {
	es := loadSDN(b)
	names := sdnQueries(b, es)
	ix := screen.Build("sdn", es, screen.BuildOptions{})
	b.ResetTimer()
	var mu sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n := names[next%len(names)]
			next++
			mu.Unlock()
			ix.Search(screen.Query{Name: n}, 10, screen.DefaultMinScore)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "names/s")
}

// Name parts for the generated list: given names and surnames of the
// region and beyond, pinyin syllables, and company words.
var (
	genSyllables = strings.Fields("an ang ao ba bai ban bang bao bei ben bin bo cai can cao chang chao chen cheng chi chong chu chun cong cui da dai dan dang dao de deng di dian ding dong du duan fa fan fang fei fen feng fu gang gao ge gen geng gong gu guang gui guo hai han hang hao he hong hou hu hua huai huan huang hui huo ji jia jian jiang jiao jie jin jing jiu ju juan jun kai kang ke kun lan lang lei li lian liang lin ling liu long lu lun luo ma man mao mei meng mi miao min ming mu na nan ning niu pei peng ping qi qian qiang qiao qin qing qiu quan rong ru rui shan shang shao shen sheng shi shu shuang si song su sun tai tang tao tian ting tong wan wang wei wen wu xi xia xian xiang xiao xin xing xiong xiu xu xuan xue ya yan yang yao ye yi yin ying yong you yu yuan yue yun ze zeng zhan zhang zhao zhe zhen zheng zhi zhong zhou zhu zhuang zi zong")
	genSurnames  = strings.Fields("wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen yao lu jiang cui zhong tan lu wang fan jin shi liao jia xia wei fu fang bai zou meng xiong qin qiu hou jiang yin xue yan duan lei long tao he mao hao gu gong shao wan qian yan")
	genOther     = [][2][]string{
		{strings.Fields("sok chan heng ly keo mao sun chhim pov yim seng ouk hun chea kim meas nhem phan som tep"), strings.Fields("sokha dara vichet sophea chantha sopheak bopha rathana sambath vanna sreypov piseth kosal rithy sovann chenda malis vuthy")},
		{strings.Fields("jaidee srisuk boonma saengthong suksawat thongdee meesuk wongyai chaimongkhon rattanakul siriwat phromsri kaewkla"), strings.Fields("somchai somsri malee suda prasert wichai anucha kamon chanphen thanaphon siriporn orathai nattapong kittisak")},
		{strings.Fields("nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly"), strings.Fields("an hoa nam minh lan duc mai huy thu tuan long huong phuong thao dung khanh linh quang")},
		{strings.Fields("haddad khoury mansour nasser aziz farouk saleh hamdan barakat jaber rahman hussein ibrahim khalil yousef"), strings.Fields("mohammed ahmed ali omar khaled youssef fatima layla samir nadia tariq rania karim hassan mahmoud")},
		{strings.Fields("petrov smirnov kuznetsov popov sokolov lebedev kozlov novikov morozov volkov ivanov fedorov"), strings.Fields("ivan olga sergei natalia dmitri irina andrei tatiana pavel elena alexei yuri")},
		{strings.Fields("smith jones taylor brown williams wilson johnson davies evans walker garcia martinez lopez santos reyes cruz"), strings.Fields("john mary james sarah david emma michael laura peter helen jose maria juan carlos ana luis")},
	}
	genCompanyA = strings.Fields("golden mekong lucky royal jade silver asia pacific grand sunrise blue dragon phoenix lotus star ocean fortune diamond crown eastern")
	genCompanyB = strings.Fields("bay river palm harvest city bridge gate tiger horse pearl garden mountain coast island valley")
	genCompanyC = []string{"Trading Co., Ltd.", "Investment Group", "Recruitment Agency", "Property Development", "Entertainment Ltd.", "Logistics Company", "Construction Co.", "Technology Limited", "Resort and Casino", "Holdings"}
)

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// genName returns a random name from r: a Chinese name (40 %), a name of
// another region (45 %) or a company (15 %).
func genName(r *rand.Rand) (string, string) {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	switch x := r.IntN(100); {
	case x < 40:
		given := pick(genSyllables)
		if r.IntN(3) > 0 {
			given += pick(genSyllables)
		}
		return strings.ToUpper(pick(genSurnames)) + ", " + title(given), screen.TypePerson
	case x < 85:
		o := genOther[r.IntN(len(genOther))]
		n := strings.ToUpper(pick(o[0])) + ", " + title(pick(o[1]))
		if r.IntN(3) == 0 {
			n += " " + title(pick(o[1]))
		}
		return n, screen.TypePerson
	default:
		return strings.ToUpper(pick(genCompanyA) + " " + pick(genCompanyB) + " " + pick(genCompanyC)), screen.TypeEntity
	}
}

// genList returns n generated entries, deterministically.
func genList(n int) []screen.Entry {
	r := rand.New(rand.NewPCG(42, 1))
	es := make([]screen.Entry, n)
	for i := range es {
		name, typ := genName(r)
		es[i] = screen.Entry{ID: fmt.Sprint(i + 1), Name: name, Type: typ}
	}
	return es
}

// perturb misspells a listed name the way queries do: swapped order, a
// letter dropped or doubled.
func perturb(r *rand.Rand, s string) string {
	f := strings.Fields(strings.ReplaceAll(s, ",", ""))
	switch r.IntN(3) {
	case 0:
		r.Shuffle(len(f), func(i, j int) { f[i], f[j] = f[j], f[i] })
	case 1:
		k := r.IntN(len(f))
		if w := f[k]; len(w) > 4 {
			p := 1 + r.IntN(len(w)-2)
			f[k] = w[:p] + w[p+1:]
		}
	default:
		k := r.IntN(len(f))
		if w := f[k]; len(w) > 2 {
			p := r.IntN(len(w))
			f[k] = w[:p] + w[p:p+1] + w[p:]
		}
	}
	return strings.Join(f, " ")
}

var (
	bigOnce  sync.Once
	bigIndex *screen.Index
	bigList  []screen.Entry
	bigMem   uint64
	bigBuild time.Duration
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkScreen1M screens names against a generated list of one million
// names: half perturbed listed names, half new names. It reports the heap
// the index holds (MB) and the time to build it.
func BenchmarkScreen1M(b *testing.B) {
	bigOnce.Do(func() {
		bigList = genList(1_000_000)
		before := heapInUse()
		start := time.Now()
		bigIndex = screen.Build("big", bigList, screen.BuildOptions{})
		bigBuild = time.Since(start)
		bigMem = heapInUse() - before
	})
	r := rand.New(rand.NewPCG(7, 7))
	qs := make([]string, 20000)
	src := make([]string, len(qs))
	for i := range qs {
		if i%2 == 0 {
			src[i] = bigList[r.IntN(len(bigList))].Name
			qs[i] = perturb(r, src[i])
		} else {
			qs[i], _ = genName(r)
		}
	}
	// Quality on the perturbed names: how often the best match carries
	// the listed name the query was made from (the list repeats names, so
	// the entry itself is not the measure).
	found, tried := 0, 0
	sorted := func(s string) string {
		f := strings.Fields(screen.Normalize(s))
		slices.Sort(f)
		return strings.Join(f, " ")
	}
	for i := 0; i < 2000; i += 2 {
		tried++
		if ms := bigIndex.Search(screen.Query{Name: qs[i]}, 1, 0); len(ms) > 0 && sorted(ms[0].Name) == sorted(src[i]) {
			found++
		}
	}
	benchSearch(b, bigIndex, qs)
	b.ReportMetric(float64(bigMem)/(1<<20), "index-MB")
	b.ReportMetric(float64(found)/float64(tried), "perturbed-rank1")
	b.ReportMetric(bigBuild.Seconds(), "build-s")
}

// BenchmarkLoadSDN measures what a server does at start: read the SDN
// snapshot's entries from the database (SQLite) and index them.
func BenchmarkLoadSDN(b *testing.B) {
	es := loadSDN(b)
	db := storetest.Open(b, store.SQLite)
	ctx := context.Background()
	svc := screen.New(db, nil)
	if _, err := svc.ImportEntries(ctx, "sdn", screen.FormatOFACCSV, sdnDir, es); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := screen.New(db, nil).Load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSDN measures reading the SDN snapshot's CSV files.
func BenchmarkParseSDN(b *testing.B) {
	dir := sdnData(b)
	for b.Loop() {
		if _, err := screen.Parse(screen.FormatOFACCSV, dir); err != nil {
			b.Fatal(err)
		}
	}
}
